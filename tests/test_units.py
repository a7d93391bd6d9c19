"""Finding a unit by any way people type its name."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.units import (
    Match,
    UnitDirectory,
    UnitEntry,
    fold,
    former_districts,
    former_wards,
    units_of_province,
)

HANOI = units_of_province(1)
DIRECTORY = UnitDirectory(HANOI)

# Old-style tone placement (Hoà, Thuỷ) and new-style (Hòa, Thủy) for the same syllables.
TONE_STYLES = {
    "òa": "oà",
    "óa": "oá",
    "ỏa": "oả",
    "õa": "oã",
    "ọa": "oạ",
    "ủy": "uỷ",
    "úy": "uý",
    "ùy": "uỳ",
    "ụy": "uỵ",
    "ũy": "uỹ",
    "òe": "oè",
    "óe": "oé",
}


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return (
        "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        .replace("đ", "d")
        .replace("Đ", "D")
    )


def old_tone_style(text: str) -> str:
    for new, old in TONE_STYLES.items():
        text = text.replace(new, old)
    return text


def bare_name(unit: UnitEntry) -> str:
    return unit.name.split(" ", 1)[1] if unit.name.startswith(("Phường ", "Xã ")) else unit.name


SPELLINGS = [
    lambda u: u.name,
    lambda u: bare_name(u),
    lambda u: strip_marks(bare_name(u)),
    lambda u: strip_marks(bare_name(u)).upper(),
    lambda u: bare_name(u).lower(),
    lambda u: old_tone_style(bare_name(u)),
    lambda u: unicodedata.normalize("NFD", bare_name(u)),
    lambda u: "  " + bare_name(u).replace(" ", "   ") + " ",
    lambda u: ("P. " if u.kind == "phường" else "X. ") + bare_name(u),
    lambda u: ("p." if u.kind == "phường" else "x.") + strip_marks(bare_name(u)).lower(),
    lambda u: ("Phuong " if u.kind == "phường" else "Xa ") + strip_marks(bare_name(u)),
    lambda u: bare_name(u).replace("Đ", "D").replace("đ", "d"),
]


def test_hanoi_has_126_units_after_the_reform() -> None:
    assert len(HANOI) == 126
    assert sum(u.kind == "phường" for u in HANOI) == 51
    assert sum(u.kind == "xã" for u in HANOI) == 75


@settings(max_examples=300, deadline=None)
@given(unit=st.sampled_from(HANOI), spelling=st.sampled_from(SPELLINGS))
def test_any_spelling_finds_the_unit(unit: UnitEntry, spelling: object) -> None:
    query = spelling(unit)  # type: ignore[operator]
    result = DIRECTORY.search(query)
    assert result.match is Match.FOUND, (query, result)
    assert unit in result.units, (query, [u.name for u in result.units])


@settings(max_examples=200, deadline=None)
@given(unit=st.sampled_from(HANOI), data=st.data())
def test_a_part_of_the_name_finds_it_or_asks_for_more(unit: UnitEntry, data: st.DataObject) -> None:
    key = unit.key
    start = data.draw(st.integers(0, len(key) - 1))
    end = data.draw(st.integers(start + 1, len(key)))
    part = key[start:end].strip()
    if not part:
        return
    result = DIRECTORY.search(part)
    assert result.match in (Match.FOUND, Match.TOO_MANY)
    if result.match is Match.FOUND:
        assert unit in result.units or result.total > len(result.units)


def test_examples_from_the_domain() -> None:
    for query in ["cau giay", "Cầu Giấy", "CAU GIAY", "P. Cầu Giấy", "Phường Cầu Giấy"]:
        assert [u.name for u in DIRECTORY.search(query).units] == ["Phường Cầu Giấy"]
    for query in ["Hòa Xá", "Hoà Xá", "hoa xa", "X. Hòa Xá"]:
        assert [u.name for u in DIRECTORY.search(query).units] == ["Xã Hòa Xá"]


def test_too_many_and_none() -> None:
    result = DIRECTORY.search("an")
    assert result.match is Match.TOO_MANY and result.total > 20 and not result.units
    assert DIRECTORY.search("không có xã này").match is Match.NONE
    assert DIRECTORY.search("   ").match is Match.NONE
    assert DIRECTORY.search("🙂").match is Match.NONE


def test_an_exact_name_wins_over_many_longer_ones() -> None:
    directory = UnitDirectory(
        [
            UnitEntry(str(i), f"Xã Long {suffix}", "xã")
            for i, suffix in enumerate("ABCDEFGHIJKLMNOPQRSTU")
        ]
        + [UnitEntry("99", "Xã Long", "xã")]
    )
    result = directory.search("long")
    assert result.match is Match.FOUND and [u.code for u in result.units] == ["99"]


def test_fold() -> None:
    assert fold("Đống Đa") == "dong da"
    assert fold(unicodedata.normalize("NFD", "Thuỷ")) == fold("Thủy") == "thuy"


FORMER = UnitDirectory(HANOI, former_districts(1), former_wards(1))


def test_many_matches_that_fit_on_a_screen_are_listed() -> None:
    result = FORMER.search("hoa")
    assert result.match is Match.FOUND and len(result.units) == result.total == 12


def test_an_old_district_gives_the_units_formed_from_it() -> None:
    for query in ["quan dong da", "Quận Đống Đa", "Q. Đống Đa", "q.dong da"]:
        result = FORMER.search(query)
        assert result.match is Match.FORMER_DISTRICT, query
        assert result.former == "Quận Đống Đa"
        assert {"Phường Đống Đa", "Phường Kim Liên", "Phường Láng"} <= {
            u.name for u in result.units
        }
    result = FORMER.search("Huyện Sóc Sơn")
    assert result.former == "Huyện Sóc Sơn"
    assert [u.name for u in result.units] == [
        "Xã Đa Phúc",
        "Xã Kim Anh",
        "Xã Nội Bài",
        "Xã Sóc Sơn",
        "Xã Trung Giã",
    ]
    # Without the prefix, today's unit of that name is the answer.
    assert [u.name for u in FORMER.search("dong da").units] == ["Phường Đống Đa"]
    # And a directory without the old districts still finds nothing for them.
    assert DIRECTORY.search("quan dong da").match is not Match.FORMER_DISTRICT


def test_every_old_district_of_every_province_maps_to_todays_units() -> None:
    for code in (1, 79, 48):
        units = units_of_province(code)
        names = {fold(u.name) for u in units}  # (the package spells one `Phường  An Nhơn`)
        districts = former_districts(code)
        assert districts
        for district, formed in districts.items():
            assert {fold(name) for name in formed} <= names, district
    hcm = UnitDirectory(units_of_province(79), former_districts(79))
    assert hcm.search("q1").former == "Quận 1"
    assert "Phường Bến Thành" in {u.name for u in hcm.search("Quận 1").units}


def test_a_typo_gets_the_nearest_names() -> None:
    for query, nearest in [("Cau Giai", "Phường Cầu Giấy"), ("hoang mia", "Phường Hoàng Mai")]:
        result = FORMER.search(query)
        assert result.match is Match.SUGGESTED
        assert [u.name for u in result.units] == [nearest]
    assert FORMER.search("zzzz qqqq").match is Match.NONE


def test_a_unit_whose_name_starts_like_a_district_prefix_is_still_found() -> None:
    directory = UnitDirectory(
        [UnitEntry("1", "Xã Quan Sơn", "xã"), UnitEntry("2", "Xã Sơn Thủy", "xã")],
        {"Huyện Sơn": ["Xã Sơn Thủy"], "Huyện Quan Sơn": ["Xã Quan Sơn"]},
    )
    assert [u.name for u in directory.search("quan son").units] == ["Xã Quan Sơn"]
    assert directory.search("quan son").match is Match.FOUND
    assert directory.search("huyện Quan Sơn").former == "Huyện Quan Sơn"
    assert directory.search("huyện Sơn").former == "Huyện Sơn"


def test_an_old_commune_or_ward_gives_the_units_it_went_into() -> None:
    for query in ["Dịch Vọng Hậu", "phuong dich vong hau", "P. Dịch Vọng Hậu"]:
        result = FORMER.search(query)
        assert result.match is Match.FORMER_WARD, query
        assert result.former == "Phường Dịch Vọng Hậu (Quận Cầu Giấy)"
        assert "Phường Cầu Giấy" in {u.name for u in result.units}
    # Two old units of one name: both are named, with their districts.
    both = FORMER.search("trung hoa")
    assert both.former == "Phường Trung Hòa (Quận Cầu Giấy), Xã Trung Hòa (Huyện Chương Mỹ)"
    assert "Phường Yên Hòa" in {u.name for u in both.units}
    # `Phường 1` of many districts of TP. Hồ Chí Minh: not `Quận 1`.
    hcm = UnitDirectory(units_of_province(79), former_districts(79), former_wards(79))
    assert hcm.search("phuong 1").match is Match.FORMER_WARD
    assert hcm.search("q1").match is Match.FORMER_DISTRICT
