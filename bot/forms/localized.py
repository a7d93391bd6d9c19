"""Text written per language inside a form definition, and one way to render any message.

Labels, hints and constraint messages come from the YAML file itself (so the
department edits them without a programmer), not from the gettext catalogue.
Messages the engine composes are `Text` (gettext msgids). A front end renders
both through `render_message`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.domain.text import Text

DEFAULT_LANGUAGE = "vi"
# The languages of the bot's own words (Có/Không, month names); YAML texts may have more.
INTERFACE_LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Localized:
    """The same text in several languages, e.g. `{"vi": "Kỳ báo cáo", "en": "Reporting period"}`."""

    # A tuple of pairs rather than a dict keeps the value hashable and immutable.
    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, texts: Mapping[str, str]) -> Localized:
        return cls(tuple(texts.items()))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.texts)

    def get(self, lang: str | None = None) -> str:
        """The text in `lang`, else its base language (`vi-VN` → `vi`), else Vietnamese, else any."""
        table = dict(self.texts)
        if lang:
            for candidate in (lang, lang.split("-")[0].split("_")[0]):
                if candidate in table:
                    return table[candidate]
        if DEFAULT_LANGUAGE in table:
            return table[DEFAULT_LANGUAGE]
        return self.texts[0][1] if self.texts else ""


Message = Text | Localized


def render_message(message: Message, lang: str, gettext: Callable[[str], str]) -> str:
    """Render an engine message: gettext for `Text`, the matching language for `Localized`."""
    if isinstance(message, Localized):
        return message.get(lang)
    return message.render(gettext)
