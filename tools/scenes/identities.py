"""Screens of the Identities tab: the browser with a developer identity's details, the delete confirmation,
and an identity ID that does not exist explained in the details pane."""

from __future__ import annotations

POOL = "QA mobile app"


async def _page(studio):
    from cognito_desk.ui.identities import IdentitiesPage

    window = studio.window
    page = next(window.tabs.widget(i) for i in range(window.tabs.count())
                if isinstance(window.tabs.widget(i), IdentitiesPage))
    window.tabs.setCurrentWidget(page)
    await studio.select_pool(POOL)
    await studio.wait_until(lambda: page.model is not None and page.model.rows and not page.model.loading,
                            what="the identities")
    return page


async def browser(studio):
    page = await _page(studio)
    answer = await studio.connection.identity.lookup_developer_identity(
        identity_pool_id=studio.pools[POOL], developer_user_identifier="alice")
    page.find_field.setText(answer["IdentityId"])
    page.find()
    await studio.wait_until(lambda: page.details.details is not None, what="alice's details")
    return studio.window


async def delete_confirmation(studio):
    page = await _page(studio)
    page.view.clearSelection()
    for row in range(12):
        page.view.selectionModel().select(page.model.index(row, 0), page.view.selectionModel().SelectionFlag.Select
                                          | page.view.selectionModel().SelectionFlag.Rows)
    page.ask_delete()
    box = page.confirmation
    studio.cleanup.append(box.reject)
    await studio.settle()
    return box


async def unknown_identity(studio):
    page = await _page(studio)
    page.find_field.setText("us-east-1:00000000-0000-4000-8000-000000000000")
    page.find()
    await studio.wait_until(lambda: not page.details.errors.isHidden(), what="the not-found error")
    studio.cleanup.append(page.details.clear)
    return studio.window


SCENES = [("identities", browser), ("identities-delete", delete_confirmation),
          ("identities-not-found", unknown_identity)]
