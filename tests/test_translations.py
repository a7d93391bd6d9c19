"""Every user-facing string has a Vietnamese translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
KEYWORDS = {**DEFAULT_KEYWORDS, "__": None, "N_": None}


def catalogue(language: str) -> dict[str, str]:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {str(m.id): str(m.string) for m in read_po(po) if m.id}


def strings_in_code() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers", "storage"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_in_the_code_is_in_the_catalogue() -> None:
    missing = strings_in_code() - set(catalogue("vi"))
    assert not missing, f"run `make extract` and translate: {sorted(missing)[:10]}"


def test_every_message_has_a_vietnamese_translation() -> None:
    untranslated = [msgid for msgid, text in catalogue("vi").items() if not text.strip()]
    assert not untranslated, untranslated[:10]


def test_placeholders_match() -> None:
    for language in ("vi", "en"):
        for msgid, text in catalogue(language).items():
            if text:
                assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(text)), (
                    language,
                    msgid,
                    text,
                )


def test_html_tags_survive_translation() -> None:
    for msgid, text in catalogue("vi").items():
        assert sorted(re.findall(r"</?[a-z]+>", msgid)) == sorted(
            re.findall(r"</?[a-z]+>", text)
        ), msgid


def test_vietnamese_uses_precomposed_letters() -> None:
    import unicodedata

    for text in catalogue("vi").values():
        assert unicodedata.is_normalized("NFC", text), text


# Faults found by reading the catalogue (issue "Vietnamese copy"): English calques, an
# ungrammatical "cần đã", and "bài gửi" where a submission is "hồ sơ" everywhere else.
CALQUES = [
    "cần đã",
    "gần nhất trước",
    "Lớp học",
    "và có chỗ",
    "nghĩa là cùng ngày",
    "ở tương lai",
    "ở trong quá khứ",
    "sự bất tiện",
    "Sở đã nhận được thông báo",
    "bài gửi",
    "danh bạ",
    "trên đường gửi",
]


def test_the_vietnamese_has_none_of_the_known_calques() -> None:
    found = [
        (phrase, msgid)
        for msgid, text in catalogue("vi").items()
        for phrase in CALQUES
        if phrase in text
    ]
    assert not found, found


def test_no_translation_holds_two_versions_of_itself() -> None:
    """Catalogues merge as a union: an entry changed on two branches can end up with both
    translations glued together ("…ít nhất một lần.Để cấp hoặc…"), which msgfmt accepts."""
    from babel.messages.pofile import read_po

    for lang in ("vi", "en"):
        with open(f"locales/{lang}/LC_MESSAGES/messages.po", "rb") as file:
            catalog = read_po(file)
        for message in catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                if string and len(string) >= 60:
                    assert string.count(string[:25]) == 1, (lang, message.id)
