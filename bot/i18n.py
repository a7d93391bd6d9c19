"""Translations: gettext catalogues under `locales/`, Vietnamese first.

The `.mo` files are built from the `.po` sources (never committed), at set-up by
`python -m bot compile-locales` and, if missing or older, at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

if TYPE_CHECKING:
    from aiogram.utils.i18n import I18n

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def compile_catalogues(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Write `<lang>/LC_MESSAGES/messages.mo` for every `.po` that is newer than its `.mo`."""
    written = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalogue)
        written.append(mo_path)
    return written


def create_i18n(default_locale: str, locales_dir: Path = LOCALES_DIR) -> I18n:
    # Imported here: aiogram takes seconds to import, which `compile-locales` doesn't need.
    from aiogram.utils.i18n import I18n

    compile_catalogues(locales_dir)
    return I18n(path=locales_dir, default_locale=default_locale, domain=DOMAIN)
