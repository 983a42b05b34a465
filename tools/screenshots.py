"""Screenshots of every screen with sample data, offscreen: ``python3 dev.py screenshots [NAME...]``.

Starts the real app's window (``cognito_desk.ui.app.build_window``) on a fresh embedded service in a
temporary directory (its Local profile's user pool endpoint being the tests' offline user pool, moto server's
cognito-idp, started here), seeds sample pools, roles and identities, then runs every scene of every module
in ``tools/scenes/`` and saves ``docs/screenshots/<scene>.png`` (light) and ``<scene>-dark.png``.

A scene module exposes ``SCENES: list[tuple[str, Callable[[Studio], Awaitable[QWidget]]]]``: an async
function that gets the :class:`Studio` (the window, its context, the open connection, the seeded pool
ids, the user-pool server's URL, ``wait_until``) and returns the widget to capture — the window itself,
or a dialog it opened (close dialogs in ``studio.cleanup``). Scenes run in file order, each in light then
dark. NAME arguments keep only the scenes whose name contains one of them.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox --disable-background-networking")

import qasync
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SCENES_DIR = Path(__file__).resolve().parent / "scenes"

SIZE = (1280, 800)
Scene = Callable[["Studio"], Awaitable[QWidget]]


@dataclass
class Studio:
    window: object
    ctx: object
    pools: dict[str, str] = field(default_factory=dict)
    #: The Local profile's user pool endpoint (moto server's cognito-idp).
    user_pool_url: str = ""
    #: Callables a scene registers to close what it opened; run after the capture.
    cleanup: list[Callable[[], object]] = field(default_factory=list)

    @property
    def connection(self):
        return self.window.connection

    async def wait_until(self, predicate: Callable[[], object], timeout: float = 20.0, what: str = "") -> None:
        async def poll() -> None:
            while not predicate():
                await asyncio.sleep(0.02)
        try:
            await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            raise RuntimeError(f"screenshot scene timed out waiting for {what or predicate}") from None

    async def settle(self, seconds: float = 0.3) -> None:
        """Let layouts, fetches and paints finish."""
        await asyncio.sleep(seconds)

    def resize(self, width: int, height: int) -> None:
        """The window at another size for this scene (a desktop monitor's); the usual 1280×800 after it."""
        self.window.resize(width, height)
        self.cleanup.append(lambda: self.window.resize(*SIZE))

    async def select_pool(self, name: str) -> None:
        self.window.pool_list.select_pool(self.pools[name])
        await self.wait_until(lambda: self.window.current_pool() is not None
                              and self.window.current_pool().pool_id == self.pools[name], what=f"pool {name}")
        await self.settle()


def _trust(pool_id: str, amr: str) -> dict:
    from cognito_desk.admin.trust import cognito_trust_policy

    return cognito_trust_policy(pool_id, amr)


async def seed(studio: Studio) -> None:
    """Sample data: pools a QA team would have, with roles, a rule mapping and some identities."""
    identity, iam = studio.connection.identity, studio.connection.iam
    specs = [("QA mobile app", True), ("Partner portal", False), ("Kiosk guests", True), ("Load test", True),
             ("Staging web", False)]
    for name, guests in specs:
        pool = await identity.create_identity_pool(
            identity_pool_name=name, allow_unauthenticated_identities=guests,
            developer_provider_name="login.qa.example" if name == "QA mobile app" else None,
            supported_login_providers={"accounts.google.com": "1234567890-qa.apps.googleusercontent.com"}
            if name != "Kiosk guests" else None)
        studio.pools[name] = pool["IdentityPoolId"]
    pool_id = studio.pools["QA mobile app"]
    arns = {}
    for amr, role_name in (("authenticated", "QaMobileAuthenticated"), ("unauthenticated", "QaMobileGuest")):
        role = await iam.create_role(role_name=role_name, assume_role_policy_document=_trust(pool_id, amr))
        arns[amr] = role["Role"]["Arn"]
    await identity.set_identity_pool_roles(identity_pool_id=pool_id, roles={
        "authenticated": arns["authenticated"], "unauthenticated": arns["unauthenticated"]})
    for _ in range(40):
        await identity.get_id(identity_pool_id=pool_id)
    for user in ("alice", "bob", "carol"):
        await identity.get_open_id_token_for_developer_identity(
            identity_pool_id=pool_id, logins={"login.qa.example": user})


def _load_scenes(wanted: list[str]) -> list[tuple[str, Scene]]:
    scenes: list[tuple[str, Scene]] = []
    for path in sorted(SCENES_DIR.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"scenes.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        scenes += [(name, scene) for name, scene in getattr(module, "SCENES", [])
                   if not wanted or any(w in name for w in wanted)]
    return scenes


async def _capture(studio: Studio, scenes: list[tuple[str, Scene]], app: QApplication) -> list[Path]:
    from cognito_desk.ui.theme import apply_theme

    saved = []
    for name, scene in scenes:
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            widget = await scene(studio)
            await studio.settle(0.5)
            path = OUT / (f"{name}.png" if theme == "light" else f"{name}-{theme}.png")
            widget.grab().save(str(path))
            saved.append(path)
            print(f"saved {path.relative_to(ROOT)}", flush=True)
            for close in studio.cleanup:
                close()
            studio.cleanup.clear()
            await studio.settle(0.1)
    apply_theme(app, "light")
    return saved


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "tests"))  # the offline user pool the tests use
    from service.moto_server import running_moto_server

    from cognito_desk.settings import LocalProfile, Settings
    from cognito_desk.ui.app import build_window, scratch_context

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(["cognito-desk-screenshots"])
    app.setApplicationDisplayName("cognito-desk")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    OUT.mkdir(parents=True, exist_ok=True)
    scenes = _load_scenes(argv)
    with (tempfile.TemporaryDirectory(prefix="cognito-desk-shots-") as temp,
          running_moto_server(user_pool=True) as moto_url):
        ctx = scratch_context(Path(temp))
        ctx.settings_file.save(Settings((LocalProfile("local", data_dir=str(Path(temp) / "data"),
                                                      user_pool_endpoint=moto_url),), "local"))
        window = build_window(ctx)
        window.resize(*SIZE)
        window.show()
        studio = Studio(window, ctx, user_pool_url=moto_url)

        async def session() -> list[Path]:
            window.start()
            await studio.wait_until(lambda: window.connection is not None, 60, "the Local connection")
            await seed(studio)
            window.refresh()
            await studio.wait_until(lambda: len(window.pool_list.model.rows) == len(studio.pools), 30, "the pools")
            return await _capture(studio, scenes, app)

        try:
            with loop:
                saved = loop.run_until_complete(session())
                loop.run_until_complete(window.connection.aclose())
        finally:
            window.close()
            ctx.local.stop_all()
    print(f"{len(saved)} screenshots in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
