"""Rebuild bot/domain/old_units/*.json from the `vietnamadminunits` package.

districts.json maps, per province (today's code), each district (quận, huyện, thị xã,
thành phố thuộc tỉnh) that existed until 30 June 2025 to the communes and wards formed
from its territory on 1 July 2025; wards.json lists each old commune and ward with its
old district and the units it went into. Both are derived from the old-to-new mapping
published under the MIT licence by Tran Ngoc Minh Hieu in `vietnamadminunits` (PyPI,
1.0.4; its notice is old_units/LICENSE.txt). The bot reads only the derived files, so it
does not carry that package (and its shapely, numpy and geopy) at run time.

    python -m pip install vietnamadminunits==1.0.4
    python scripts/build_old_units.py
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "bot" / "domain" / "old_units"
OUT = DATA / "districts.json"
OUT_WARDS = DATA / "wards.json"


def main() -> None:
    spec = importlib.util.find_spec("vietnamadminunits")
    assert spec is not None and spec.origin, "pip install vietnamadminunits==1.0.4 first"
    data = Path(spec.origin).parent / "data"
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    with sqlite3.connect(data / "dataset.db") as db:
        new_wards = {
            (province_key, ward_key): (int(code), ward)
            for province_key, ward_key, code, ward in db.execute(
                "SELECT provinceKey, wardKey, provinceCode, ward FROM admin_units"
            )
        }
        old_districts = dict(
            db.execute(
                "SELECT DISTINCT provinceKey || '_' || districtKey, district "
                "FROM admin_units_legacy"
            )
        )
        old_wards = {
            f"{province}_{district}_{ward_key}": ward
            for province, district, ward_key, ward in db.execute(
                "SELECT provinceKey, districtKey, wardKey, ward FROM admin_units_legacy"
            )
        }
    formed: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    wards_formed: dict[int, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))

    def add(new_province: str, old_key: str, new_ward: str) -> None:
        old_province, old_district = old_key.split("_")[:2]
        code, ward = new_wards[(new_province, new_ward)]
        district = old_districts[f"{old_province}_{old_district}"]
        formed[code][district].add(ward)
        if old_key in old_wards:
            wards_formed[code][(old_wards[old_key], district)].add(ward)

    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, old_keys in wards.items():
            for old_key in old_keys:
                add(new_province, old_key, new_ward)
    for new_province, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in divided.items():
            for part in parts:
                add(new_province, old_key, part["newWardKey"])
    result = {
        str(code): {district: sorted(wards) for district, wards in sorted(districts.items())}
        for code, districts in sorted(formed.items())
    }
    OUT.write_text(
        json.dumps(result, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8"
    )
    print(f"{OUT}: {sum(len(d) for d in result.values())} districts in {len(result)} provinces")
    wards = {
        str(code): sorted([ward, district, sorted(new)] for (ward, district), new in old.items())
        for code, old in sorted(wards_formed.items())
    }
    # One old unit a line: readable in a diff, and no larger than it needs to be.
    provinces = [
        json.dumps(code)
        + ":[\n"
        + ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in entries)
        + "]"
        for code, entries in wards.items()
    ]
    OUT_WARDS.write_text("{\n" + ",\n".join(provinces) + "\n}\n", encoding="utf-8")
    print(f"{OUT_WARDS}: {sum(len(w) for w in wards.values())} communes and wards")


if __name__ == "__main__":
    main()
