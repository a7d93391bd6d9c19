"""What a unit search says above its buttons when the name typed was an old district or a typo."""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.domain.units import Match, SearchResult


def search_note(result: SearchResult, query: str) -> str:
    """A line for an old district or commune (before 1 July 2025) or a typo; else empty."""
    if result.match is Match.FORMER_DISTRICT:
        return _(
            "Since 1 July 2025 there are no districts any more: {district} has been divided "
            "among the communes and wards below."
        ).format(district=html.quote(result.former))
    if result.match is Match.FORMER_WARD:
        return _(
            "Since 1 July 2025 {unit} no longer exists: its area now belongs to the communes "
            "and wards below."
        ).format(unit=html.quote(result.former))
    if result.match is Match.SUGGESTED:
        return _("No unit is called “{query}”. The nearest names:").format(
            query=html.quote(query[:50])
        )
    return ""
