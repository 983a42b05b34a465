"""What the user did on the provider's pages during a login, as the embedded browser saw it — never a value.

Owns :class:`BrowserAction` (a field filled or a button clicked: the CSS selector that finds it again, the
field's name for choosing a reference to its value, whether it was a password field) and
:func:`tidy_actions` (a field filled again — a retried login — counts once, with the retry's click). The
embedded browser records them while a login runs; a run keeps them (``RunResult.browser_actions``) so that
"Save as scenario" can write the login-page steps the run really took. The values typed are deliberately not
recorded: a saved scenario refers to them (``env:`` / ``keyring:``), the user picks the names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["BrowserAction", "tidy_actions"]

ACTIONS = ("fill", "click")


@dataclass(frozen=True)
class BrowserAction:
    action: str
    selector: str
    #: The field's name (or id, or type) for a fill; the button's text for a click.
    field: str = ""
    secret: bool = False

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> BrowserAction:
        action, selector = str(raw["action"]), str(raw["selector"])
        if action not in ACTIONS or not selector or len(selector) > 500:
            raise ValueError(f"not a recorded browser action: {action!r} {selector!r}")
        return cls(action, selector, str(raw.get("field", ""))[:80], bool(raw.get("secret", False)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def tidy_actions(actions: Iterable[BrowserAction]) -> tuple[BrowserAction, ...]:
    """The actions that made the login, in order. A field filled again after a click means the attempt that click
    sent failed (a mistyped password, the form shown again): that click and the field's earlier fill are dropped,
    so a replay sends the login once; a field filled twice in a row counts once."""
    kept: list[BrowserAction] = []
    for action in actions:
        if action.action == "fill":
            earlier = next((i for i in range(len(kept) - 1, -1, -1) if kept[i] == action), None)
            if earlier is not None:
                kept = [a for i, a in enumerate(kept) if i != earlier and not (i > earlier and a.action == "click")]
        kept.append(action)
    return tuple(kept)
