"""Help → About: versions, folders and license, right after "Copy diagnostics" was pressed."""

from __future__ import annotations


async def about(studio):
    from cognito_desk.ui.about import show_about

    dialog = show_about(studio.window)
    dialog.copy_diagnostics()
    await studio.wait_until(lambda: dialog.copied.text() == "Copied to the clipboard", what="the diagnostics")
    await studio.settle()
    studio.cleanup.append(dialog.close)
    return dialog


SCENES = [("about", about)]
