"""The shared test helpers that tests rely on to be able to fail: a tampered value is never the original."""

from __future__ import annotations

import pytest
from support import changed_tail


@pytest.mark.parametrize("text", ["secretX", "secretA", "secretB", "AAAA", "abcdAAAA"])
@pytest.mark.parametrize("length", [1, 4])
def test_a_changed_tail_never_equals_the_original(text, length):
    changed = changed_tail(text, length)
    assert changed != text and len(changed) == len(text) and changed[:-length] == text[:-length]
