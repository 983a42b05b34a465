"""The Tester's fix for a refused role: create the missing role, or fix its trust policy, then offer the sign-in again.

Owns :class:`RoleFixer`. The result panel offers what ``admin.role_fixes.role_fix`` decided; this applies it on the
window's runner (the Tester's setup busy, Cancel and errors in the Tester's banner): ``create`` makes the role
trusted by this pool for its slot (``admin.role_trust.create_trusted_role``, as Roles & rules does); ``trust`` reads
the role's trust policy, shows the lint's fix as a diff in the Roles & rules tab's
:class:`~cognito_desk.ui.roles.trust_panel.FixDialog`, and on Apply stores it (``UpdateAssumeRolePolicy``). Either
way the pool's connection state hears of the role (``role_saved``), so Roles & rules is not stale.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from ...admin.role_fixes import RoleFix, TrustFix, plan_trust_fix
from ...admin.role_trust import apply_trust_fix, create_trusted_role
from ...admin.trust import cognito_trust_policy
from ..context import AppContext
from ..pages import PoolRef
from ..roles.trust_panel import FixDialog
from .result_panel import ResultPanel

__all__ = ["RoleFixer"]


class RoleFixer(QObject):
    def __init__(self, ctx: AppContext, pool: Callable[[], PoolRef | None], results: ResultPanel, busy: QWidget,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx, self.pool, self.results, self.busy = ctx, pool, results, busy
        #: The diff of a trust-policy fix while it is on screen.
        self.dialog: FixDialog | None = None

    def apply(self, fix: RoleFix) -> None:
        pool = self.pool()
        if pool is None:
            return
        if fix.kind == "create":
            self._run(create_trusted_role(pool.connection.iam, pool_id=pool.pool_id, slot=fix.slot, name=fix.name),
                      f"Creating role {fix.name}",
                      lambda arn: self._done(pool, arn, cognito_trust_policy(pool.pool_id, fix.slot),
                                             f"Created {fix.name}, trusted by this pool for {fix.slot} identities."))
        else:
            self._run(plan_trust_fix(pool.connection.iam, fix, pool_id=pool.pool_id),
                      f"Reading the trust policy of {fix.name}", lambda plan: self._ask(pool, plan))

    def _run(self, coro, label: str, on_success) -> None:
        self.ctx.runner.run(coro, label=label, busy=self.busy, errors=self.results.errors, on_success=on_success)

    def _ask(self, pool: PoolRef, plan: TrustFix) -> None:
        self.dialog = FixDialog(plan.role_arn, "; ".join(plan.fixed_findings), plan.diff, self.parent())
        self.dialog.finished.connect(lambda result, dialog=self.dialog: self._answered(pool, plan, dialog, result))
        self.dialog.open()

    def _answered(self, pool: PoolRef, plan: TrustFix, dialog: FixDialog, result: int) -> None:
        dialog.deleteLater()
        self.dialog = None
        if result == QDialog.DialogCode.Accepted:
            name = plan.role_arn.rsplit("/", 1)[-1]
            self._run(apply_trust_fix(pool.connection.iam, plan.role_arn, plan.fixed),
                      "Updating the trust policy",
                      lambda _: self._done(pool, plan.role_arn, plan.fixed,
                                           f"Fixed the trust policy of {name}: it now trusts this pool."))

    def _done(self, pool: PoolRef, arn: str, trust_policy: dict, message: str) -> None:
        pool.state.connection.role_saved(arn, trust_policy, origin=self)
        self.results.show_fixed(message)
