"""Stored values shown to people: `05/03/2026`, `1.500.000 đ`, `Tháng 11/2026`, choice labels, Có/Không.

Rendering takes a language code, not gettext: the review screen and the
exports use it, and the few words it needs (Có/Không, ảnh/tệp) are kept here
for the two languages of the bot, Vietnamese being the fallback.
"""

from __future__ import annotations

from typing import Any

from bot.domain.phone import format_phone
from bot.forms import dates, numbers, times
from bot.forms.fields import YES_NO_LABELS
from bot.forms.localized import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES
from bot.forms.model import Field

EMPTY = "—"
_FILES = {
    "vi": {"photo": ("{n} ảnh", "{n} ảnh"), "document": ("{n} tệp", "{n} tệp")},
    "en": {"photo": ("{n} photo", "{n} photos"), "document": ("{n} file", "{n} files")},
}


def render_value(field: Field, value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """A stored value of `field` as text for a person reading `lang`; a skipped answer is `—`."""
    lang = lang if lang in INTERFACE_LANGUAGES else DEFAULT_LANGUAGE
    if value is None:
        return EMPTY
    kind = field.type
    if kind == "integer":
        return numbers.group_thousands(int(value), "." if lang == "vi" else ",")
    if kind == "decimal":
        return numbers.format_decimal(float(value), lang)
    if kind == "money":
        return numbers.format_money(int(value))
    if kind == "date":
        return dates.format_date(str(value))
    if kind == "datetime":
        return times.format_datetime(str(value))
    if kind == "month":
        return dates.format_month(str(value), lang)
    if kind == "select_one":
        return _choice_label(field, str(value), lang)
    if kind == "select_multiple":
        # Labels may contain commas ("Thông tin, tuyên truyền..."), hence the semicolon.
        return "; ".join(_choice_label(field, str(name), lang) for name in value)
    if kind == "yes_no":
        return YES_NO_LABELS[lang][0 if value else 1]
    if kind in ("photo", "document"):
        count = len(value)
        one, many = _FILES[lang][kind]
        return (one if count == 1 else many).format(n=count)
    if kind == "location":
        return f"{float(value['lat']):.6f}, {float(value['lon']):.6f}"
    if kind == "phone":
        return format_phone(str(value))
    return str(value)


def _choice_label(field: Field, name: str, lang: str) -> str:
    choice = field.choice(name)
    return choice.label.get(lang) if choice is not None else name
