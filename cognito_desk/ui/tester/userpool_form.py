"""The Tester's user-pool sign-in form: flow, username, password, and the challenges as they arrive.

Owns :class:`UserPoolForm`, shown instead of the browser for a ``user-pool-password`` provider: SRP or
password flow, the username, the password (masked, never saved), and a challenge area that the run fills
when the user pool sets a challenge — the :class:`~cognito_desk.flows.challenges.Challenge` model decides
the fields (a masked new password and the required attributes, a code, the MFA type) and what is missing;
this widget only shows them and forwards the answer. It is the run's
:class:`~cognito_desk.flows.userpool.ChallengeAnswerer`: :meth:`answer` waits for "Answer" (Enter) and is
cancelled with the run, which clears the area.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...flows.challenges import Challenge
from ...flows.userpool import AuthFlow
from ...settings import Secret

__all__ = ["UserPoolForm"]


class UserPoolForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("User pool sign-in")
        self.flow = QComboBox()
        self.flow.setAccessibleName("Auth flow")
        self.flow.addItem("SRP (USER_SRP_AUTH)", AuthFlow.SRP)
        self.flow.addItem("Password (USER_PASSWORD_AUTH)", AuthFlow.PASSWORD)
        self.flow.setToolTip("SRP proves the password without sending it; the password flow sends it over TLS. "
                             "The app client must allow the flow.")
        self.username = QLineEdit()
        self.username.setAccessibleName("Username")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setToolTip("Used for this sign-in only; never saved")
        form = QFormLayout()
        form.addRow("Flow", self.flow)
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        self.challenge_box = QGroupBox("Challenge")
        self.challenge_box.setAccessibleName("Challenge")
        self.challenge_text = QLabel()
        self.challenge_text.setAccessibleName("Challenge")
        self.challenge_text.setWordWrap(True)
        self.challenge_fields = QFormLayout()
        self.challenge_problems = QLabel()
        self.challenge_problems.setObjectName("formProblems")
        self.challenge_problems.setAccessibleName("Challenge problems")
        self.challenge_problems.setWordWrap(True)
        self.answer_button = QPushButton("Answer")
        self.answer_button.setAccessibleName("Answer the challenge")
        self.answer_button.setDefault(True)
        self.answer_button.clicked.connect(self.submit)
        inner = QVBoxLayout(self.challenge_box)
        inner.addWidget(self.challenge_text)
        inner.addLayout(self.challenge_fields)
        inner.addWidget(self.challenge_problems)
        inner.addWidget(self.answer_button)
        self.challenge_box.hide()
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.challenge_box)
        box.addStretch(1)
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        self.challenge: Challenge | None = None
        self._waiting: asyncio.Future[Mapping[str, str]] | None = None

    def credentials(self) -> tuple[AuthFlow, str, Secret]:
        return AuthFlow(self.flow.currentData()), self.username.text().strip(), Secret(self.password.text())

    # --- the run's ChallengeAnswerer -----------------------------------------------------------------
    async def answer(self, challenge: Challenge) -> Mapping[str, str]:
        self._show(challenge)
        self._waiting = asyncio.get_running_loop().create_future()
        try:
            return await self._waiting
        finally:
            self._waiting = None
            self._clear()

    def _show(self, challenge: Challenge) -> None:
        self._clear()
        self.challenge = challenge
        self.challenge_box.setTitle(f"Challenge: {challenge.name}")
        self.challenge_text.setText(challenge.describe())
        for field in challenge.fields():
            widget: QLineEdit | QComboBox
            if field.choices:
                widget = QComboBox()
                widget.addItems(list(field.choices))
            else:
                widget = QLineEdit()
                widget.returnPressed.connect(self.submit)
                if field.secret:
                    widget.setEchoMode(QLineEdit.EchoMode.Password)
            widget.setAccessibleName(field.label)
            self.inputs[field.key] = widget
            self.challenge_fields.addRow(field.label, widget)
        self.challenge_box.show()
        if self.inputs:
            next(iter(self.inputs.values())).setFocus()

    def values(self) -> dict[str, str]:
        return {key: w.currentText() if isinstance(w, QComboBox) else w.text() for key, w in self.inputs.items()}

    def fill(self, key_or_label: str, value: str) -> None:
        """Type ``value`` into the challenge field named by its response key or its label."""
        labels = {f.label: f.key for f in self.challenge.fields()} if self.challenge else {}
        widget = self.inputs[labels.get(key_or_label, key_or_label)]
        if isinstance(widget, QComboBox):
            widget.setCurrentText(value)
        else:
            widget.setText(value)

    def submit(self) -> None:
        if self.challenge is None or self._waiting is None or self._waiting.done():
            return
        values = self.values()
        problems = self.challenge.problems(values)
        self.challenge_problems.setText(" ".join(problems))
        if not problems:
            self._waiting.set_result(values)

    def _clear(self) -> None:
        self.challenge = None
        self.inputs = {}
        while self.challenge_fields.rowCount():
            self.challenge_fields.removeRow(0)
        self.challenge_problems.setText("")
        self.challenge_box.hide()
