"""Write seeds/phone_regions.csv from Google's libphonenumber metadata (the `phonenumbers` package).

Why a seed and not hand-written rules: which digits form a valid national number, and which
national (trunk) prefix a region dials, is what libphonenumber keeps current for every region;
the transform (dbt SQL) cannot call Python, so the per-region facts it needs are written here
once, for the regions in seeds/countries.csv. tests/transform/test_phone_regions_seed.py fails
when the committed file differs from what this script writes, so a `phonenumbers` upgrade is a
visible diff. Reference: https://github.com/google/libphonenumber (resources/PhoneNumberMetadata.xml).

Run: .venv/bin/python transform/scripts/generate_phone_regions.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from phonenumbers import PhoneMetadata

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
COLUMNS = ("iso2", "national_prefix", "national_number_pattern")


def phone_regions_csv() -> str:
    """The seed's text: one row per region of countries.csv."""
    with (SEEDS / "countries.csv").open(newline="", encoding="utf-8") as f:
        regions = [row["iso2"] for row in csv.DictReader(f)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for iso2 in regions:
        meta = PhoneMetadata.metadata_for_region(iso2)
        if meta is None:
            raise SystemExit(f"libphonenumber has no metadata for region {iso2}")
        writer.writerow((iso2, meta.national_prefix or "", meta.general_desc.national_number_pattern))
    return out.getvalue()


if __name__ == "__main__":
    (SEEDS / "phone_regions.csv").write_text(phone_regions_csv(), encoding="utf-8")
