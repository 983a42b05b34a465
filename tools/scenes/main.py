"""Screens of the shell: the main window with a pool selected, and a failure explained next to the pool list."""

from __future__ import annotations


async def main_window(studio):
    await studio.select_pool("QA mobile app")
    studio.window.tabs.setCurrentIndex(0)  # Settings: the first tab, whatever earlier scenes showed
    await studio.settle()
    return studio.window


async def pool_list_error(studio):
    from cognito_desk.core import errors

    window = studio.window
    await studio.select_pool("Partner portal")
    message = "Unauthenticated access is not supported for this identity pool."
    error = errors.error_for("NotAuthorizedException", message,
                             request_id="3f1c2a9e-0b7d-4c55-9a51-6c1d2f0e8b11")
    window.pool_list.errors.show_error(error, label="Signing in as a guest", retry=lambda: None)
    studio.cleanup.append(window.pool_list.errors.clear)
    return window


SCENES = [("main-window", main_window), ("error-explained", pool_list_error)]
