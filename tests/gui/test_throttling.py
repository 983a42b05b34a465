"""AWS throttling through the wired window: the embedded service enforces a lab's request quotas (AWS's defaults
for everything but UpdateIdentityPool), the clients retry as botocore's standard mode does — here without
jitter (1 s, then 2 s) so the waits are known —, the busy cover and the status bar say so while they wait, and
a call AWS keeps refusing ends with the explanation: which quota, that AWS quotas are adjustable."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from pool_support import call_until_idle, settle_when_idle

from cognito_desk.aws import RetryPolicy
from cognito_desk.ui.widgets.busy import BusyOverlay

#: UpdateIdentityPool: one request, then one more every 2 s (one account-wide bucket, as on AWS).
SLOW_UPDATES = '[operations]\nUpdateIdentityPool = { rate = 0.5, burst = 1 }\n'
#: UpdateIdentityPool: every request refused.
NO_UPDATES = '[operations]\nUpdateIdentityPool = { rate = 0, burst = 0 }\n'


@pytest.fixture
def quota_text() -> str:
    return SLOW_UPDATES


@pytest.fixture
def local_quotas(tmp_path, quota_text) -> str:
    """The Local connection's service on a lab quota file."""
    quotas = tmp_path / "quotas.toml"
    quotas.write_text(quota_text)
    return str(quotas)


@pytest.fixture
def client_retry() -> RetryPolicy:
    """Backoff without jitter: 1 s, then 2 s."""
    return RetryPolicy(jitter=lambda upper: upper)


@pytest.fixture
def call(connected_window, run):
    return call_until_idle(connected_window, run)


@pytest.fixture
def settle(connected_window, wait_until):
    return settle_when_idle(connected_window, wait_until)


def _pool(call, window, name: str) -> str:
    return call(window.connection.identity.create_identity_pool(
        identity_pool_name=name, allow_unauthenticated_identities=True))["IdentityPoolId"]


def _edit_name(window, settle, qtbot, pool_id: str):
    window.pools_changed(select=pool_id)
    page = window.screens["pools"].settings_page
    settle(lambda: page.edit is not None and page.edit.pool_id == pool_id, "the pool's Settings tab")
    qtbot.keyClicks(page.name, " renamed")
    assert page.save_button.isEnabled()
    return page


def _throttled_text(window, page) -> str:
    covers = [cover.label.text() for cover in page.findChildren(BusyOverlay) if cover.isVisible()]
    return " | ".join([*covers, window.status.activity_label.text()])


def test_a_throttled_save_waits_says_so_and_then_succeeds(connected_window, app_ctx, call, settle, wait_until,
                                                          qtbot):
    window = connected_window
    mine, theirs = _pool(call, window, "mine"), _pool(call, window, "theirs")
    page = _edit_name(window, settle, qtbot, mine)
    # Another admin's script updates another pool of the account: the account's one UpdateIdentityPool token.
    attached = app_ctx.local.served()[0]
    key = call(window.connection.credentials.get())
    other_admin = boto3.session.Session().client(
        "cognito-identity", endpoint_url=attached, region_name=window.connection.region,
        aws_access_key_id=key.access_key, aws_secret_access_key=key.secret_key,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    other_admin.update_identity_pool(IdentityPoolId=theirs, IdentityPoolName="theirs v2",
                                     AllowUnauthenticatedIdentities=True)
    page.save_button.click()
    wait_until(lambda: "Throttled by AWS, retrying… (UpdateIdentityPool, attempt 2 of 3)" in _throttled_text(
        window, page), 10, "the busy cover to say the save is throttled")
    settle(lambda: page.status.text() == "Saved.", "the retried save")
    assert page.errors.isHidden()
    assert call(window.connection.identity.describe_identity_pool(identity_pool_id=mine))[
        "IdentityPoolName"] == "mine renamed"
    assert "Throttled" not in window.status.activity_label.text()


@pytest.mark.parametrize("quota_text", [NO_UPDATES])
def test_a_save_aws_keeps_throttling_ends_with_the_quota_explained(connected_window, call, settle, wait_until,
                                                                  qtbot, quota_text):
    window = connected_window
    mine = _pool(call, window, "mine")
    page = _edit_name(window, settle, qtbot, mine)
    page.save_button.click()
    wait_until(lambda: "attempt 3 of 3" in _throttled_text(window, page), 10, "the last retry")
    settle(lambda: not page.errors.isHidden(), "the error banner")
    assert "Throttled by AWS: UpdateIdentityPool" in page.errors.title.text()
    body = page.errors.body.text()
    assert "UpdateIdentityPool" in body and "adjustable" in body and "Service Quotas" in body
    assert "TooManyRequestsException" in page.errors.raw.toPlainText()
    assert page.name.text() == "mine renamed"  # the edit is kept for another try
    assert call(window.connection.identity.describe_identity_pool(identity_pool_id=mine))[
        "IdentityPoolName"] == "mine"
