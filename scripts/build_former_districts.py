"""Rebuild bot/domain/data/former_districts.json from the `vietnamadminunits` package.

The file maps, per province (today's code), each district (quận, huyện, thị xã, thành
phố thuộc tỉnh) that existed until 30 June 2025 to the communes and wards formed from
its territory on 1 July 2025. It is derived from the old-to-new ward mapping published
under the MIT licence by Tran Ngoc Minh Hieu in `vietnamadminunits` (PyPI, 1.0.4); the
bot reads only the derived file, so it does not carry that package (and its shapely,
numpy and geopy) at run time.

    python -m pip install vietnamadminunits==1.0.4
    python scripts/build_former_districts.py
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "bot" / "domain" / "data" / "former_districts.json"


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
    formed: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def add(new_province: str, old_key: str, new_ward: str) -> None:
        old_province, old_district = old_key.split("_")[:2]
        code, ward = new_wards[(new_province, new_ward)]
        formed[code][old_districts[f"{old_province}_{old_district}"]].add(ward)

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


if __name__ == "__main__":
    main()
