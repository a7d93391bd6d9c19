"""Translatable text produced by the domain, rendered later by a front end.

The domain can't call gettext itself (it knows no locale and no aiogram), so it
returns the English msgid with its parameters; `N_` marks the msgid for
`pybabel extract` and the front end translates it with the user's catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@dataclass(frozen=True)
class Text:
    """A msgid and the values of its `{placeholders}`."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str]) -> str:
        translated = gettext(self.msgid)
        return translated.format(**self.params) if self.params else translated
