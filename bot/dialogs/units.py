"""The unit directory as the engine's injected unit search."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.dialogs.model import Option
from bot.domain.text import N_, Text
from bot.domain.units import Match, UnitDirectory


class DirectoryLookup:
    """`UnitLookup` over the department's list of communes and wards."""

    def __init__(self, directory: UnitDirectory, counts: Mapping[str, int] | None = None) -> None:
        self.directory = directory
        self.counts = counts  # shown after each name found (officers per unit, say)

    def find(self, query: str) -> Sequence[Option] | Text:
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
        if self.counts is None:
            return [Option(unit.code, unit.name) for unit in result.units]
        return [
            Option(unit.code, f"{unit.name} · {self.counts.get(unit.code, 0)}")
            for unit in result.units
        ]

    def name(self, code: str) -> str | None:
        unit = self.directory.get(code)
        return unit.name if unit is not None else None
