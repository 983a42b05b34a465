"""What a sign-in run found: identity, assumed vs predicted role, masked credentials, two countdowns, timeline, tokens.

Owns :class:`ResultPanel`. It shows a :class:`~cognito_desk.flows.run.RunResult` — complete or partial:
the identity id (new or returning, linked logins), the role STS says was assumed beside the role the
pool's configuration predicts with the rule engine's explanation (a loud warning when they differ), the
access key id with the secret key and session token masked (copy buttons; export as ``AWS_*`` variables or
a credentials-file profile, to the clipboard), a live countdown for the provider token and one for the AWS
credentials with the refresh advice, each step's duration, the call timeline and the decoded tokens. A
failed step is named in the error banner with its explanation first and the raw error one click away; when the
role Cognito tried is missing or its trust policy refused, the fix ``admin.role_fixes.role_fix`` decides is offered
under it as a button (the page applies it), then "Sign in again".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...admin.failures import FailureReport
from ...admin.role_fixes import RoleFix, role_fix
from ...core import errors
from ...core.tokens import describe_expiry, inspect_token
from ...flows.clients import ProviderKind
from ...flows.run import RunResult
from ...flows.userpool import UserPoolRefused, role_claims_note
from ..icons import icon
from ..widgets.error_banner import ErrorBanner
from .timeline_model import TimelineModel

__all__ = ["ResultPanel"]

MASK = "••••••••••••"


def _selectable(name: str) -> QLabel:
    label = QLabel("—")
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class ResultPanel(QWidget):
    #: The result is on screen (identity id, assumed role and countdowns): for timing.
    shown = Signal()
    #: The user asked for the offered fix (a :class:`~cognito_desk.admin.role_fixes.RoleFix`).
    fix_requested = Signal(object)
    #: "Sign in again" after a fix.
    sign_in_again = Signal()

    def __init__(self, refresh: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sign-in result")
        self.result: RunResult | None = None
        self.errors = ErrorBanner(name="Sign-in error")
        self.fix: RoleFix | None = None
        self.fix_note = QLabel()
        self.fix_note.setWordWrap(True)
        self.fix_note.setAccessibleName("Role fix")
        self.fix_button = QPushButton(icon("add"), "")
        self.fix_button.setAccessibleName("Fix the role Cognito tried")  # named for the fix when one is offered
        self.fix_button.clicked.connect(lambda: self.fix is not None and self.fix_requested.emit(self.fix))
        self.again_button = QPushButton(icon("refresh"), "Sign in again")
        self.again_button.setAccessibleName("Sign in again")
        self.again_button.clicked.connect(self.sign_in_again)
        self.fix_row = QWidget()  # the note above its buttons: the buttons stay in view in a narrow panel
        fix_box = QVBoxLayout(self.fix_row)
        fix_box.setContentsMargins(0, 0, 0, 0)
        fix_box.addWidget(self.fix_note)
        fix_box.addWidget(self._row(self.fix_button, self.again_button))
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Result views")
        summary = QScrollArea()  # the summary scrolls rather than growing the window past the screen
        summary.setAccessibleName("Result summary")
        summary.setWidget(self._summary(refresh))
        summary.setWidgetResizable(True)
        summary.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs.addTab(summary, "Result")
        self.timeline = TimelineModel(self)
        self.timeline_view = QTableView()
        self.timeline_view.setAccessibleName("Call timeline")
        self.timeline_view.setModel(self.timeline)
        self.timeline_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.timeline_view.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(self.timeline_view, "Timeline")
        self.tokens = QPlainTextEdit()
        self.tokens.setReadOnly(True)
        self.tokens.setAccessibleName("Decoded tokens")
        self.tabs.addTab(self.tokens, "Tokens")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.errors)
        box.addWidget(self.fix_row)
        box.addWidget(self.tabs, 1)
        self.ticker = QTimer(self)
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._tick)
        self.show_result(None)

    def _summary(self, refresh: Callable[[], object]) -> QWidget:
        page = QWidget()
        self.identity_label = _selectable("Identity ID")
        self.identity_label.setWordWrap(False)
        self.identity_state = QLabel()
        self.identity_state.setAccessibleName("New or returning identity")
        self.linked_label = _selectable("Linked logins")
        self.assumed_label = _selectable("Assumed role")
        self.predicted_label = _selectable("Predicted role")
        self.mismatch = QLabel("The role actually assumed is NOT the role the pool's configuration predicts.")
        self.mismatch.setObjectName("roleMismatch")
        self.mismatch.setAccessibleName("Role mismatch warning")
        self.mismatch.setStyleSheet("QLabel#roleMismatch { background: #b3261e; color: white; font-weight: bold;"
                                    " padding: 6px; border-radius: 4px; }")
        self.mismatch.setWordWrap(True)
        self.user_pool_claims = _selectable("User pool groups and roles")
        self.prediction = QPlainTextEdit()
        self.prediction.setReadOnly(True)
        self.prediction.setAccessibleName("Prediction explanation")
        self.prediction.setMaximumHeight(110)
        self.access_key = _selectable("Access key ID")
        self.secret_label = QLabel(MASK)
        self.secret_label.setAccessibleName("Secret access key (masked)")
        self.token_label = QLabel(MASK)
        self.token_label.setAccessibleName("Session token (masked)")
        self.copy_secret = self._copy_button("Copy the secret access key", lambda c: c.secret_key.reveal())
        self.copy_token = self._copy_button("Copy the session token", lambda c: c.session_token.reveal())
        # Short labels, the full ones in tooltips: both fit side by side in the result column.
        self.export_env = QPushButton(icon("export"), "Copy as env variables")
        self.export_env.setAccessibleName("Copy as environment variables")
        self.export_env.setToolTip("export AWS_ACCESS_KEY_ID / …SECRET_ACCESS_KEY / …SESSION_TOKEN lines for a shell")
        self.export_env.clicked.connect(lambda: self._copy(lambda c: c.as_environment()))
        self.export_profile = QPushButton(icon("export"), "Copy as profile")
        self.export_profile.setAccessibleName("Copy as credentials-file profile")
        self.export_profile.setToolTip("A [cognito-desk] profile for ~/.aws/credentials")
        self.export_profile.clicked.connect(lambda: self._copy(lambda c: c.as_credentials_profile("cognito-desk")))
        self.provider_countdown = QLabel("—")
        self.provider_countdown.setAccessibleName("Provider token expiry")
        self.aws_countdown = QLabel("—")
        self.aws_countdown.setAccessibleName("AWS credentials expiry")
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setAccessibleName("Refresh advice")
        self.refresh_button = QPushButton(icon("refresh"), "Refresh credentials")
        self.refresh_button.setAccessibleName("Refresh credentials")
        self.refresh_button.setToolTip("GetCredentialsForIdentity again with the same logins")
        self.refresh_button.clicked.connect(refresh)
        self.durations = QLabel()
        self.durations.setWordWrap(True)
        self.durations.setAccessibleName("Step durations")

        identity = QGroupBox("Identity")
        form = QFormLayout(identity)
        form.addRow("Identity ID", self._row(self.identity_label, self.identity_state))
        form.addRow("Linked logins", self.linked_label)
        roles = QGroupBox("Role")
        form = QFormLayout(roles)
        form.addRow(self.mismatch)
        form.addRow("Assumed (STS)", self.assumed_label)
        form.addRow("Predicted", self.predicted_label)
        form.addRow("User pool", self.user_pool_claims)
        form.addRow(self.prediction)
        credentials = QGroupBox("Credentials")
        form = QFormLayout(credentials)
        form.addRow("Access key ID", self.access_key)
        form.addRow("Secret access key", self._row(self.secret_label, self.copy_secret))
        form.addRow("Session token", self._row(self.token_label, self.copy_token))
        form.addRow(self._row(self.export_env, self.export_profile))
        expiry = QGroupBox("Expiry")
        form = QFormLayout(expiry)
        form.addRow("Provider token", self.provider_countdown)
        form.addRow("AWS credentials", self.aws_countdown)
        form.addRow(self.advice)
        form.addRow(self._row(self.refresh_button))
        box = QVBoxLayout(page)
        for group in (identity, roles, credentials, expiry):
            box.addWidget(group)
        box.addWidget(self.durations)
        box.addStretch()
        return page

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        layout.addStretch()
        return row

    def _copy_button(self, name: str, value) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon("copy"))
        button.setToolTip(name)
        button.setAccessibleName(name)
        button.clicked.connect(lambda: self._copy(value))
        return button

    def _copy(self, value) -> None:
        if self.result is not None and self.result.credentials is not None:
            QGuiApplication.clipboard().setText(value(self.result.credentials))

    # --- showing a result -------------------------------------------------------------------------
    def show_result(self, result: RunResult | None) -> None:
        self.result = result
        self.errors.clear()
        self.identity_label.setText(result.identity_id if result and result.identity_id else "—")
        returning = result.returning if result else None
        self.identity_state.setText({True: "returning identity", False: "new identity", None: ""}[returning])
        self.linked_label.setText(", ".join(result.linked_logins) if result and result.linked_logins else "—")
        self._show_roles(result)
        credentials = result.credentials if result else None
        self.access_key.setText(credentials.access_key_id if credentials else "—")
        for widget in (self.copy_secret, self.copy_token, self.export_env, self.export_profile):
            widget.setEnabled(credentials is not None)
        self.refresh_button.setEnabled(bool(credentials and result and result.identity_id))
        self.timeline.set_calls(result.timeline.calls if result else [])
        self.tokens.setPlainText(self._tokens_text(result) if result else "")
        steps = result.step_durations() if result else {}
        self.durations.setText(" · ".join(f"{step} {ms:.0f} ms" for step, ms in steps.items()))
        self._offer_fix(result)
        if result is not None and result.failure is not None:
            self._show_failure(result)
        self._tick()
        if result is not None and (result.credentials or result.login):
            self.ticker.start()
        else:
            self.ticker.stop()
        self.shown.emit()

    def _show_roles(self, result: RunResult | None) -> None:
        assumed = result.assumed_role if result else None
        prediction = result.prediction if result else None
        self.assumed_label.setText(assumed or "—")
        self.predicted_label.setText((prediction.role_arn or f"none ({prediction.error_code or 'unknown'})")
                                     if prediction else "—")
        self.prediction.setPlainText(prediction.explanation if prediction else "")
        self.mismatch.setVisible(bool(result and result.roles_differ))
        login = result.login if result else None
        user_pool = login is not None and result is not None and result.request.client.kind in (
            ProviderKind.USER_POOL, ProviderKind.USER_POOL_PASSWORD)
        challenges = f" · challenges met: {', '.join(result.challenges)}" if result and result.challenges else ""
        self.user_pool_claims.setText(role_claims_note(login.claims) + challenges if user_pool and login else "—")

    def _offer_fix(self, result: RunResult | None) -> None:
        failure = result.failure if result else None
        self.fix = role_fix(failure.error, roles=result.pool_config.roles, logins=result.logins,
                            tried_role=result.tried_role) if result and failure else None
        if self.fix is not None:
            self.fix_note.setText(f"The role {self.fix.name} does not exist." if self.fix.kind == "create" else
                                  f"The trust policy of {self.fix.name} refused this pool.")
            self.fix_button.setText(self.fix.label)
            self.fix_button.setAccessibleName(self.fix.label.rstrip("…") if self.fix.kind == "create"
                                              else f"Fix the trust policy of {self.fix.name}")
        self.fix_button.show()
        self.again_button.hide()
        self.fix_row.setVisible(self.fix is not None)

    def show_fixed(self, message: str) -> None:
        """The offered fix was applied: say so, and offer the sign-in again."""
        self.fix_note.setText(message)
        self.fix_button.hide()
        self.again_button.show()
        self.fix_row.show()

    def _show_failure(self, result: RunResult) -> None:
        failure = result.failure
        assert failure is not None
        label = f"Step “{failure.step}”"
        if isinstance(failure.error, errors.AwsError) and not isinstance(failure.error, UserPoolRefused):
            self.errors.show_error(failure.error, label=label, logins=result.logins, pool=result.pool_config.pool,
                                   roles=result.pool_config.roles, tried_role=result.tried_role)
            return
        explanation = failure.explanation
        self.errors.show_report(FailureReport(explanation.title, explanation.cause, explanation.fix,
                                              explanation.details, raw=f"{type(failure.error).__name__}: "
                                                                       f"{failure.error}"), label=label)

    @staticmethod
    def _tokens_text(result: RunResult) -> str:
        parts = []
        login = result.login
        if login is not None and login.token_type == "SAMLResponse":
            parts.append("SAML assertion (attributes, not verified here):\n"
                         + json.dumps(login.claims, indent=2, ensure_ascii=False))
        elif login is not None:
            parts.append(f"Provider {login.token_type}:\n{inspect_token(login.token).pretty()}")
        if result.cognito_token:
            parts.append(f"Cognito token:\n{inspect_token(result.cognito_token).pretty()}")
        return "\n\n".join(parts)

    def _tick(self) -> None:
        result, now = self.result, time.time()
        expires = result.provider_expires_at if result else None
        self.provider_countdown.setText(describe_expiry(expires, now) if expires else "—")
        credentials = result.credentials if result else None
        self.aws_countdown.setText(describe_expiry(credentials.expiration.timestamp(), now) if credentials else "—")
        self.advice.setText(result.refresh_advice(now) if result and credentials else "")
