"""Request quotas without a server: the quota file format and its errors, the token bucket's arithmetic on a
controlled clock, AWS's table, and the Local profile / connection form setting that carries ``--quotas``."""

from __future__ import annotations

import pytest

from cognito_desk.admin.connections import ConnectionForm, form_for_profile, form_profile
from cognito_desk.core import errors
from cognito_desk.core.quotas import AWS_REQUEST_QUOTAS, DOCUMENTED, describe_quota
from cognito_desk.service.identity import OPERATIONS
from cognito_desk.service.quotas import Quota, QuotaFileError, QuotaTable, RateLimiter, quota_table
from cognito_desk.settings import LocalProfile, ProfileKind
from cognito_desk.settings.profiles import profile_from_dict, profile_problems, profile_to_dict


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_every_operation_has_an_aws_quota_and_the_documented_ones_are_awss():
    assert set(AWS_REQUEST_QUOTAS) == set(OPERATIONS)
    assert DOCUMENTED == {"GetId": 25, "GetOpenIdToken": 200, "GetCredentialsForIdentity": 200,
                          "GetOpenIdTokenForDeveloperIdentity": 50, "ListIdentities": 5, "DeleteIdentities": 10,
                          "TagResource": 5, "UntagResource": 5, "ListTagsForResource": 10}
    assert AWS_REQUEST_QUOTAS["DescribeIdentityPool"] == 10 and AWS_REQUEST_QUOTAS["UpdateIdentityPool"] == 5
    assert "25 requests per second" in describe_quota("GetId") and "documented" in describe_quota("GetId")
    assert "does not publish" in describe_quota("DescribeIdentityPool")


def test_off_aws_and_a_file():
    assert quota_table("off") is None and quota_table("") is None
    assert quota_table("aws").quotas["ListIdentities"] == Quota(5, 5)
    assert quota_table("aws").quotas["GetCredentialsForIdentity"] == Quota(200, 200)


def test_the_bucket_allows_its_burst_then_its_rate():
    clock = Clock()
    limiter = RateLimiter(QuotaTable({"ListIdentities": Quota(5, 5)}), clock)
    for _ in range(5):
        limiter.check("ListIdentities")
    with pytest.raises(errors.TooManyRequestsException) as caught:
        limiter.check("ListIdentities")
    assert caught.value.message == "Rate exceeded" and caught.value.status == 400
    assert "ListIdentities is limited to 5 requests per second" in caught.value.notes[0]
    clock.now += 0.2  # one token back
    limiter.check("ListIdentities")
    with pytest.raises(errors.TooManyRequestsException):
        limiter.check("ListIdentities")
    clock.now += 60  # never more than the burst
    for _ in range(5):
        limiter.check("ListIdentities")
    with pytest.raises(errors.TooManyRequestsException):
        limiter.check("ListIdentities")
    limiter.check("GetId")  # not in the table: not limited


def test_a_refused_request_takes_no_token():
    clock = Clock()
    limiter = RateLimiter(QuotaTable({"GetId": Quota(1, 1)}), clock)
    limiter.check("GetId")
    for _ in range(10):
        with pytest.raises(errors.TooManyRequestsException):
            limiter.check("GetId")
    clock.now += 1.0
    limiter.check("GetId")


def write(tmp_path, text: str) -> str:
    path = tmp_path / "lab.toml"
    path.write_text(text)
    return str(path)


def test_a_quota_file_changes_what_it_lists(tmp_path):
    table = quota_table(write(tmp_path, '[operations]\nGetId = 50\nListIdentities = { rate = 1, burst = 3 }\n'
                                        'DescribeIdentityPool = "off"\nTagResource = { rate = 0, burst = 0 }\n'))
    assert table.quotas["GetId"] == Quota(50, 50)
    assert table.quotas["ListIdentities"] == Quota(1, 3)
    assert "DescribeIdentityPool" not in table.quotas
    assert table.quotas["TagResource"] == Quota(0, 0)
    assert table.quotas["GetOpenIdToken"] == Quota(200, 200)  # AWS's default kept
    assert table.source.endswith("lab.toml")
    only = quota_table(write(tmp_path, 'start = "none"\n[operations]\nGetId = 0.5\n'))
    assert only.quotas == {"GetId": Quota(0.5, 1)}


@pytest.mark.parametrize(("text", "problem"), [
    ("[operations]\nGetID = 5\n", "operations.GetID: not a Cognito Identity operation (did you mean GetId?)"),
    ("[operations]\nGetId = -1\n", "operations.GetId: must be a number of requests per second, 0 or more"),
    ("[operations]\nGetId = true\n", "operations.GetId: must be a number"),
    ("[operations]\nGetId = { burst = 3 }\n", "operations.GetId: a table takes 'rate' (required) and 'burst'"),
    ("[operations]\nGetId = { rate = 1, size = 3 }\n", "unknown: size"),
    ("[operations]\nGetId = { rate = 1, burst = -3 }\n", "operations.GetId.burst: must be a number"),
    ('start = "default"\n', 'start must be "aws" or "none"'),
    ("rates = 1\n", "unknown setting 'rates'"),
    ("operations = 5\n", "operations must be a table"),
    ("[operations\n", "not a TOML file"),
])
def test_a_bad_quota_file_says_where_and_what(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(QuotaFileError) as caught:
        quota_table(path)
    assert problem in str(caught.value) and str(caught.value).startswith(path)


def test_a_missing_quota_file(tmp_path):
    with pytest.raises(QuotaFileError, match="cannot be read"):
        quota_table(str(tmp_path / "nowhere.toml"))


def test_the_local_profile_keeps_its_quota_setting():
    profile = LocalProfile("lab", quotas="aws")
    assert profile_to_dict(profile)["quotas"] == "aws"
    assert profile_from_dict(profile_to_dict(profile), "profiles[0]") == (profile, [])
    assert LocalProfile("lab").quotas == "off"
    assert profile_problems(LocalProfile("lab", quotas="/labs/slow.toml")) == []
    assert profile_problems(LocalProfile("lab", quotas="fast")) == [
        "profile.quotas: 'fast' must be off, aws (AWS's default request quotas) or the path of a .toml quota file"]


def test_the_connection_form_edits_the_quota_setting():
    form = form_for_profile(LocalProfile("lab", quotas="aws"))
    assert form.quotas == "aws"
    edited = ConnectionForm(kind=ProfileKind.LOCAL, name="lab", quotas=" /labs/q.toml ")
    assert form_profile(edited).quotas == "/labs/q.toml"
