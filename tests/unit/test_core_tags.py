"""The one principal-tag computation shared by the service and the preview."""

from cognito_desk.core.tags import session_tags


def test_the_default_mapping_uses_the_providers_default_tags():
    assert session_tags(True, {"team": "dept"}, {"dept": "qa"}, {"client": "app", "username": "u1"}) == {
        "client": "app", "username": "u1"}


def test_a_custom_map_takes_the_first_value_of_each_claim_and_skips_missing_ones():
    claims = {"dept": ["qa", "ops"], "level": 3, "email": "a@example.com", "empty": []}
    tags = session_tags(False, {"team": "dept", "lvl": "level", "mail": "email", "none": "empty", "gone": "x"},
                        claims, {"client": "app"})
    assert tags == {"team": "qa", "lvl": "3", "mail": "a@example.com"}
