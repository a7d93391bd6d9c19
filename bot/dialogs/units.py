"""The unit directory as the engine's injected unit search."""

from __future__ import annotations

import html
from collections.abc import Mapping

from bot.dialogs.model import Found, Option
from bot.domain.text import N_, Text
from bot.domain.units import Match, SearchResult, UnitDirectory


def search_note(result: SearchResult, query: str) -> Text | None:
    """A line above the matches for an old district or commune (before 1 July 2025) or a typo."""
    if result.match is Match.FORMER_DISTRICT:
        return Text(
            N_(
                "Since 1 July 2025 there are no districts any more: {district} has been divided "
                "among the communes and wards below."
            ),
            {"district": html.escape(result.former, quote=False)},
        )
    if result.match is Match.FORMER_WARD:
        return Text(
            N_(
                "Since 1 July 2025 {unit} no longer exists: its area now belongs to the communes "
                "and wards below."
            ),
            {"unit": html.escape(result.former, quote=False)},
        )
    if result.match is Match.SUGGESTED:
        return Text(
            N_("No unit is called “{query}”. The nearest names:"),
            {"query": html.escape(query[:50], quote=False)},
        )
    return None


class DirectoryLookup:
    """`UnitLookup` over the department's list of communes and wards."""

    def __init__(self, directory: UnitDirectory, counts: Mapping[str, int] | None = None) -> None:
        self.directory = directory
        self.counts = counts  # shown after each name found (officers per unit, say)

    def find(self, query: str) -> Found | Text:
        result = self.directory.search(query.strip())
        shown = query.strip()[:50]
        if result.match is Match.NONE:
            return Text(
                N_(
                    "No unit matches “{query}”. Type part of the name again, for example: Cầu Giấy."
                ),
                {"query": shown},
            )
        if result.match is Match.TOO_MANY:
            return Text(
                N_("{count} units match “{query}”. Please type a few more letters of the name."),
                {"count": result.total, "query": shown},
            )
        counts = self.counts
        options = [
            Option(
                unit.code,
                unit.name if counts is None else f"{unit.name} · {counts.get(unit.code, 0)}",
            )
            for unit in result.units
        ]
        return Found(options, search_note(result, query))

    def name(self, code: str) -> str | None:
        unit = self.directory.get(code)
        return unit.name if unit is not None else None
