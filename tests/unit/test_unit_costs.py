"""The shipped reference data: every figure has a source and a price year, or is an assumption."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import effekt.data.reference as reference
from effekt.data.reference import (
    UNIT_COST_COLUMNS,
    actors,
    load_unit_costs,
    microsim_parts,
    price_indices,
    unit_costs,
)
from effekt.engine.valuation.indices import price_time
from effekt.errors import ReferenceDataError
from effekt.i18n import catalog

SRC = Path(reference.__file__).resolve().parents[1]
HEADER = ",".join((*UNIT_COST_COLUMNS, "part_of", "note"))
GOOD = "ok,sv,en,kommun,per dygn,100,SEK,2019,Kriminalvården 2019,verified,no,service,,"


@pytest.mark.parametrize("country", ["se", "uk"])
def test_every_shipped_row_has_a_source_and_price_year_or_is_an_assumption(country: str) -> None:
    table = unit_costs(country)
    assert len(table) >= 40
    for row in table.values():
        assert row.price_year and price_time(row.price_year) > 1900, row.id
        assert row.source or (row.uncertainty == "assumption" and row.note), row.id
        assert row.currency == ("SEK" if country == "se" else "GBP")


@pytest.mark.parametrize("country", ["se", "uk"])
def test_every_description_stands_on_its_own(country: str) -> None:
    """A row is shown alone (in the förstudie's sources), never under the row above it."""
    leaning = re.compile(r"^(som ovan|as above|ditto|dito|d:o)\b", re.IGNORECASE)
    for row in unit_costs(country).values():
        assert not leaning.match(row.description_sv), row.id
        assert not leaning.match(row.description_en), row.id


def test_shipped_actors_exist_and_belong_to_the_country() -> None:
    tree = actors()
    for country in ("se", "uk"):
        allowed = set(tree.for_country(country))
        for row in unit_costs(country).values():
            assert row.actor in allowed, row.id


def test_research_marks_are_carried_into_the_data() -> None:
    se = unit_costs("se")
    assert se["se_utanforskap_livstid_20_pension_low"].uncertainty == "uncertain"
    assert "UNCERTAIN" in se["se_utanforskap_livstid_20_pension_low"].note
    uk = unit_costs("uk")
    assert all("VERIFY" in r.note for r in uk.values() if r.id.startswith("uk_ucd"))
    assert uk["uk_ucd_es1_0"].price_year == "2005/06"


def test_transfers_and_lifetime_totals_are_marked() -> None:
    se = unit_costs("se")
    assert se["se_ekonomiskt_bistand_hushall_2010"].kind == "transfer"
    assert se["se_aktivitetsersattning_hel_ar_low_derived"].kind == "transfer"
    assert se["se_utanforskap_livstid_20_pension_high"].kind == "lifetime_total"
    assert unit_costs("uk")["uk_ucd_ee10_4"].kind == "lifetime_total"


def test_components_add_up_to_their_total() -> None:
    uk = unit_costs("uk")
    for total in ("uk_ucd_es1_0", "uk_ucd_es2_0", "uk_ucd_ee10_0"):
        parts = [r.amount for r in uk.values() if r.part_of == total]
        assert sum(parts) == pytest.approx(uk[total].amount, abs=1.0), total


def test_new_rows_carry_url_and_year() -> None:
    se = unit_costs("se")
    for row_id in (
        "se_ekonomiskt_bistand_hushall_2010",
        "se_institutionsvard_cura_dygn_2025_medlem",
    ):
        assert "http" in se[row_id].source and se[row_id].price_year


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "mine.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def test_a_users_own_file_loads(tmp_path: Path) -> None:
    table = load_unit_costs(_write(tmp_path, GOOD))
    assert table["ok"].amount == 100.0


def test_a_row_without_a_source_fails_with_file_line_and_column(tmp_path: Path) -> None:
    bad = "bad,sv,en,kommun,per dygn,100,SEK,2019,,verified,no,service,,"
    path = _write(tmp_path, GOOD, bad)
    with pytest.raises(ReferenceDataError) as info:
        load_unit_costs(path)
    assert info.value.code == "reference.missing_source"
    assert info.value.params["line"] == 3
    assert info.value.params["column"] == "source"
    assert info.value.params["file"] == str(path)
    assert "line 3" in str(info.value)


def test_a_row_without_a_price_year_fails(tmp_path: Path) -> None:
    bad = "bad,sv,en,kommun,per dygn,100,SEK,,Some source,verified,no,service,,"
    with pytest.raises(ReferenceDataError) as info:
        load_unit_costs(_write(tmp_path, bad))
    assert info.value.code == "reference.missing_price_year"
    assert info.value.params["line"] == 2


def test_an_assumption_needs_a_reason_but_no_source(tmp_path: Path) -> None:
    with_reason = "a,sv,en,region,per besök,900,SEK,2020,,assumption,no,service,,no source found"
    assert load_unit_costs(_write(tmp_path, with_reason))["a"].uncertainty == "assumption"
    without = "a,sv,en,region,per besök,900,SEK,2020,,assumption,no,service,,"
    with pytest.raises(ReferenceDataError) as info:
        load_unit_costs(_write(tmp_path, without))
    assert info.value.code == "reference.assumption_without_reason"


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("x,sv,en,nobody,per dygn,100,SEK,2019,S,verified,no,service,,", "actor"),
        ("x,sv,en,kommun,per dygn,lots,SEK,2019,S,verified,no,service,,", "amount"),
        ("x,sv,en,kommun,per dygn,100,SEK,c.2019,S,verified,no,service,,", "price_year"),
        ("x,sv,en,kommun,per dygn,100,SEK,2019,S,sure,no,service,,", "uncertainty"),
        ("x,sv,en,kommun,per dygn,100,SEK,2019,S,verified,no,gift,,", "kind"),
        ("x,sv,en,kommun,per dygn,100,SEK,2019,S,verified,no,service,nothing,", "part_of"),
    ],
)
def test_malformed_rows_name_their_column(tmp_path: Path, row: str, column: str) -> None:
    with pytest.raises(ReferenceDataError) as info:
        load_unit_costs(_write(tmp_path, row))
    assert info.value.params["column"] == column


def test_missing_file_and_column_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError) as info:
        load_unit_costs(tmp_path / "absent.csv")
    assert info.value.code == "file.not_found"
    path = tmp_path / "short.csv"
    path.write_text("id,amount\nx,1\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError) as info:
        load_unit_costs(path)
    assert info.value.code == "reference.missing_column"


def test_price_index_rows_name_their_source() -> None:
    with (SRC / "data" / "price_indices.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["source"] and r["note"] is not None for r in rows)
    assert len(price_indices()) == 4


def test_every_microsimulation_parameter_is_sourced_or_a_calibrated_assumption() -> None:
    parts = microsim_parts()
    for row in (*parts["transitions"], *parts["costs"]):
        assert row.basis in ("source", "calibrated assumption") and row.source


def test_every_message_code_used_is_in_the_catalog() -> None:
    codes: set[str] = set()
    files = [*(SRC / "engine" / "valuation").glob("*.py"), SRC / "data" / "reference.py"]
    for file in files:
        text = file.read_text(encoding="utf-8")
        codes |= set(re.findall(r"(?:Error|_error)\(\s*\"([a-z_]+\.[a-z_.]+)\"", text))
    assert len(codes) > 20
    missing = sorted(codes - catalog().keys())
    assert not missing
