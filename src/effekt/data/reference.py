"""Reading the valuation reference data: unit costs, price indices, actors, microsimulation.

The only I/O of the valuation engine. Packaged files are read with :mod:`importlib.resources`;
a user's own file is read from a path (same schema). Every row is validated, and the first
problem raises :class:`~effekt.errors.ReferenceDataError` naming the file, line and column.

The rule every unit-cost row must meet: a **price year**, and either a **source** or
``uncertainty = "assumption"`` with the reason in ``note``. Microsimulation rows need a
``basis`` of ``source`` or ``calibrated assumption`` and, for both, a text in ``source``
(the source, or the reason for the assumption).

>>> table = unit_costs("se")
>>> table["se_kriminalvarden_anstalt_dygn"].amount
3202.0
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from effekt.engine.valuation.actors import KINDS, Actor, ActorTree
from effekt.engine.valuation.avoided_costs import UNCERTAINTY_MARKS, UnitCost
from effekt.engine.valuation.indices import (
    DEFAULT_EXTRAPOLATION_RATE,
    EXTRAPOLATION_RATES,
    IndexSeries,
    price_time,
)
from effekt.engine.valuation.microsim import (
    MicrosimModel,
    ProductionParameters,
    StateCost,
    Transition,
    build_model,
)
from effekt.errors import EffektError, ReferenceDataError

__all__ = [
    "UNIT_COST_COLUMNS",
    "actors",
    "load_unit_costs",
    "microsim_model",
    "microsim_parts",
    "price_indices",
    "unit_costs",
]

UNIT_COST_COLUMNS = (
    "id",
    "description_sv",
    "description_en",
    "actor",
    "unit",
    "amount",
    "currency",
    "price_year",
    "source",
    "uncertainty",
    "cashable",
    "kind",
)
"""Required columns of a unit-cost file; ``part_of`` and ``note`` are optional."""

BASES = ("source", "calibrated assumption")

PathLike = str | Path


def _packaged(*parts: str) -> tuple[str, str]:
    node = resources.files("effekt.data")
    for part in parts:
        node = node / part
    return "/".join(("effekt/data", *parts)), node.read_text(encoding="utf-8")


def _read(path: PathLike) -> tuple[str, str]:
    name = str(path)
    try:
        return name, Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReferenceDataError("file.not_found", path=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceDataError("file.unreadable", path=name, detail=str(exc)) from None


def _rows(name: str, text: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for column in required:
        if column not in header:
            raise ReferenceDataError("reference.missing_column", file=name, line=1, column=column)
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}


def _error(code: str, name: str, line: int, column: str, **params: Any) -> ReferenceDataError:
    return ReferenceDataError(code, file=name, line=line, column=column, **params)


def _number(name: str, line: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _error("reference.bad_value", name, line, column, value=text) from None
    if not math.isfinite(value):
        raise _error("reference.bad_value", name, line, column, value=text)
    return value


def _price_year(name: str, line: int, text: str) -> str:
    if not text:
        raise _error("reference.missing_price_year", name, line, "price_year")
    try:
        price_time(text)
    except EffektError:
        raise _error("reference.bad_value", name, line, "price_year", value=text) from None
    return text


def _parse_unit_costs(name: str, text: str, tree: ActorTree | None) -> dict[str, UnitCost]:
    table: dict[str, UnitCost] = {}
    parents: list[tuple[int, str]] = []
    for line, row in _rows(name, text, UNIT_COST_COLUMNS):
        row_id = row["id"]
        if not row_id:
            raise _error("reference.bad_value", name, line, "id", value="")
        if row_id in table:
            raise _error("reference.duplicate_id", name, line, "id", id=row_id)
        uncertainty = row["uncertainty"]
        if uncertainty not in UNCERTAINTY_MARKS:
            raise _error("reference.bad_value", name, line, "uncertainty", value=uncertainty)
        price_year = _price_year(name, line, row["price_year"])
        if not row["source"] and uncertainty != "assumption":
            raise _error("reference.missing_source", name, line, "source", id=row_id)
        if uncertainty == "assumption" and not row.get("note"):
            raise _error("reference.assumption_without_reason", name, line, "note", id=row_id)
        if row["kind"] not in KINDS:
            raise _error("reference.bad_value", name, line, "kind", value=row["kind"])
        if row["cashable"] not in ("yes", "no"):
            raise _error("reference.bad_value", name, line, "cashable", value=row["cashable"])
        if len(row["currency"]) != 3 or not row["currency"].isupper():
            raise _error("reference.bad_value", name, line, "currency", value=row["currency"])
        if tree is not None and row["actor"] not in tree:
            raise _error("reference.unknown_actor", name, line, "actor", actor=row["actor"])
        if row.get("part_of"):
            parents.append((line, row["part_of"]))
        table[row_id] = UnitCost(
            id=row_id,
            description_sv=row["description_sv"],
            description_en=row["description_en"],
            actor=row["actor"],
            unit=row["unit"],
            amount=_number(name, line, "amount", row["amount"]),
            currency=row["currency"],
            price_year=price_year,
            source=row["source"],
            uncertainty=uncertainty,
            cashable=row["cashable"] == "yes",
            kind=row["kind"],
            part_of=row.get("part_of", ""),
            note=row.get("note", ""),
        )
    for line, parent in parents:
        if parent not in table:
            raise _error("reference.bad_value", name, line, "part_of", value=parent)
    return table


def load_unit_costs(path: PathLike, tree: ActorTree | None = None) -> dict[str, UnitCost]:
    """A user's unit-cost file (the shipped schema), validated; actors checked if ``tree``."""
    name, text = _read(path)
    return _parse_unit_costs(name, text, tree if tree is not None else actors())


def unit_costs(country: str = "se") -> dict[str, UnitCost]:
    """The shipped unit-cost table of ``country`` (``"se"`` or ``"uk"``)."""
    if country not in ("se", "uk"):
        raise ReferenceDataError("reference.unknown_table", name=country)
    name, text = _packaged("unit_costs", f"{country}.csv")
    return _parse_unit_costs(name, text, actors())


def price_indices(path: PathLike | None = None) -> dict[str, IndexSeries]:
    """Every index series in the shipped ``price_indices.csv`` (or a user's file)."""
    name, text = _read(path) if path is not None else _packaged("price_indices.csv")
    points: dict[str, list[tuple[int, float]]] = {}
    bases: dict[str, str] = {}
    for line, row in _rows(name, text, ("series", "year", "value", "base", "source")):
        if not row["source"]:
            raise _error("reference.missing_source", name, line, "source", id=row["series"])
        year = _number(name, line, "year", row["year"])
        if year != int(year):
            raise _error("reference.bad_value", name, line, "year", value=row["year"])
        value = _number(name, line, "value", row["value"])
        points.setdefault(row["series"], []).append((int(year), value))
        bases[row["series"]] = row["base"]
    series: dict[str, IndexSeries] = {}
    for key, pairs in points.items():
        pairs.sort()
        series[key] = IndexSeries(
            id=key,
            years=np.array([y for y, _ in pairs], dtype=np.int64),
            values=np.array([v for _, v in pairs]),
            base=bases[key],
            extrapolation_rate=EXTRAPOLATION_RATES.get(key, DEFAULT_EXTRAPOLATION_RATE),
        )
    return series


def actors(path: PathLike | None = None) -> ActorTree:
    """The actor hierarchy from the shipped ``actors.toml`` (or a user's file)."""
    name, text = _read(path) if path is not None else _packaged("actors.toml")
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError("file.unreadable", path=name, detail=str(exc)) from None
    records = []
    for key, entry in table.items():
        if not isinstance(entry, dict) or not {"sv", "en"} <= entry.keys():
            raise ReferenceDataError("reference.actor_tree", detail=f"{name}: [{key}] needs sv, en")
        records.append(
            Actor(
                id=key,
                name_sv=str(entry["sv"]),
                name_en=str(entry["en"]),
                parent=str(entry.get("parent", "")) or None,
                country=str(entry.get("country", "all")),
            )
        )
    return ActorTree(records)


def _basis(name: str, line: int, row: Mapping[str, str]) -> tuple[str, str]:
    if row["basis"] not in BASES:
        raise _error("reference.bad_value", name, line, "basis", value=row["basis"])
    if not row["source"]:
        raise _error("reference.missing_source", name, line, "source", id=row["basis"])
    return row["basis"], row["source"]


def _toml_number(name: str, table: Mapping[str, Any], key: str) -> tuple[float, str]:
    entry = table.get(key)
    if not isinstance(entry, dict):
        raise ReferenceDataError("reference.missing_column", file=name, line=0, column=key)
    if entry.get("basis") not in BASES or not entry.get("source"):
        raise ReferenceDataError("reference.missing_source", file=name, line=0, column=key, id=key)
    return float(entry["value"]), str(entry["price_year"])


def microsim_parts(
    directory: PathLike | None = None, table: Mapping[str, UnitCost] | None = None
) -> dict[str, Any]:
    """The microsimulation's parameter rows, validated (for building and for display)."""

    def read(file: str) -> tuple[str, str]:
        return (
            _read(Path(directory) / file) if directory is not None else _packaged("microsim", file)
        )

    costs_table = table if table is not None else unit_costs("se")
    name, text = read("model.toml")
    model = tomllib.loads(text)
    states_name, states_text = read("states.csv")
    states: list[str] = []
    losing: list[str] = []
    for _line, row in _rows(states_name, states_text, ("id", "description_sv", "description_en")):
        states.append(row["id"])
        if row.get("loses_production") == "yes":
            losing.append(row["id"])
    t_name, t_text = read("transitions.csv")
    transitions = []
    t_columns = ("from_state", "to_state", "min_age", "max_age", "probability", "basis", "source")
    for line, row in _rows(t_name, t_text, t_columns):
        basis, source = _basis(t_name, line, row)
        transitions.append(
            Transition(
                from_state=row["from_state"],
                to_state=row["to_state"],
                min_age=int(_number(t_name, line, "min_age", row["min_age"])),
                max_age=int(_number(t_name, line, "max_age", row["max_age"])),
                probability=_number(t_name, line, "probability", row["probability"]),
                basis=basis,
                source=source,
            )
        )
    c_name, c_text = read("state_costs.csv")
    costs = []
    c_columns = ("state", "actor", "unit_cost", "quantity", "amount", "price_year", "kind")
    for line, row in _rows(c_name, c_text, (*c_columns, "min_age", "max_age", "basis", "source")):
        basis, source = _basis(c_name, line, row)
        if row["unit_cost"]:
            ref = costs_table.get(row["unit_cost"])
            if ref is None:
                raise _error(
                    "reference.bad_value", c_name, line, "unit_cost", value=row["unit_cost"]
                )
            if ref.actor != row["actor"]:
                raise _error("reference.bad_value", c_name, line, "actor", value=row["actor"])
            quantity = _number(c_name, line, "quantity", row["quantity"])
            amount, price_year, kind = ref.amount * quantity, ref.price_year, ref.kind
        else:
            amount = _number(c_name, line, "amount", row["amount"])
            price_year = _price_year(c_name, line, row["price_year"])
            kind = row["kind"]
        costs.append(
            StateCost(
                state=row["state"],
                actor=row["actor"],
                amount=amount,
                price_year=price_year,
                kind=kind,
                min_age=int(_number(c_name, line, "min_age", row["min_age"])),
                max_age=int(_number(c_name, line, "max_age", row["max_age"])),
                component=row.get("component", ""),
                basis=basis,
                source=source,
            )
        )
    prod = model["production"]
    wage, wage_year = _toml_number(name, prod, "monthly_wage")
    employer, _ = _toml_number(name, prod, "employer_contribution_rate")
    capacity, _ = _toml_number(name, prod, "work_capacity")
    share, _ = _toml_number(name, prod, "public_share")
    production = ProductionParameters(
        monthly_wage=wage,
        employer_contribution_rate=employer,
        work_capacity=capacity,
        public_share=share,
        price_year=wage_year,
        from_age=int(prod["from_age"]),
        states=tuple(prod.get("states", losing)),
        tax_actor=str(prod.get("tax_actor", "skatteverket")),
    )
    initial = {k: float(v) for k, v in model["initial"].items() if k not in ("basis", "source")}
    return {
        "states": tuple(states),
        "start_age": int(model["start_age"]),
        "end_age": int(model["end_age"]),
        "price_year": int(model["price_year"]),
        "index_series": str(model["index_series"]),
        "initial": initial,
        "transitions": tuple(transitions),
        "costs": tuple(costs),
        "production": production,
        "lifelong_exclusion": dict(model.get("lifelong_exclusion", {})),
    }


def microsim_model(
    directory: PathLike | None = None,
    price_year: int | None = None,
    table: Mapping[str, UnitCost] | None = None,
) -> MicrosimModel:
    """The shipped microsimulation model (or one from a user's directory of the same files)."""
    parts = microsim_parts(directory, table)
    tree = actors()
    series = price_indices()[parts["index_series"]]
    return build_model(
        states=parts["states"],
        actors=tree.for_country("se"),
        start_age=parts["start_age"],
        end_age=parts["end_age"],
        transitions=parts["transitions"],
        costs=parts["costs"],
        production=parts["production"],
        initial=parts["initial"],
        price_year=price_year if price_year is not None else parts["price_year"],
        series=series,
    )
