"""A contract under a scenario — a ``[scenarios]`` table of the file, ``--scenario`` or a
value tried by ``effekt solve`` — checked whole, as a file is.

A scenario changes terms by path (:mod:`effekt.contract.overrides`). The changed contract
must be a valid contract: the same structural checks and rules across fields as
``effekt check`` (a share above 1, a negative cost, a cohort past the term), so no figure
is ever computed from a contract the checker would refuse.

A scenario that sets an uncertain input to a number (``"metrics[0].expected" = 0.38``)
takes that input's uncertainty away, and with it the correlations that name it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from effekt.contract.load import Document, check_document
from effekt.contract.locate import Locator, PathKey
from effekt.contract.model import Contract
from effekt.contract.overrides import apply_overrides, resolve_path, written_by_id
from effekt.contract.problems import Problem
from effekt.contract.validate import distribution_tables

__all__ = ["changed_contract", "scenario_problems"]


def changed_contract(
    c: Contract,
    overrides: Mapping[str, Any],
    file: str = "<scenario>",
    fmt: str = "json",
    typed: str | None = None,
    unquoted: Collection[PathKey] = (),
) -> tuple[Contract | None, list[Problem]]:
    """``c`` with every ``path → value`` of ``overrides`` set: (the contract, or None when
    it is not valid, and its errors). The changed contract has no scenarios of its own.
    A path that does not exist raises KeyError. ``fmt`` is the syntax the overrides are
    written in (a file's own; JSON's values on the command line): the errors' examples
    write it so, under the override's key (``"costs.setup" = 450_000``); ``typed`` is the
    name of a scenario typed on the command line, whose examples are what to type there
    (``--scenario low=costs.setup=450000``). ``unquoted`` are the values written without
    quotes, each as an override's key and the path under it (``("costs.setup",)``), so
    that their problems do not say to drop quotes. A problem is named as the overrides
    write its place: by id where one reaches it by id (``cohorts[k1].size``), the place an
    override sets as that override writes it."""
    data = c.model_dump(mode="json", by_alias=True)
    data.pop("scenarios", None)
    changed = apply_overrides(data, dict(overrides))
    _drop_correlations_of_removed(data, changed)
    keys = _override_keys(changed, overrides)
    locator = Locator(unquoted=_unquoted_paths(changed, unquoted))
    ids = {k: v for key in overrides for k, v in written_by_id(changed, key).items()}
    doc = Document(changed, locator, file, fmt, keys, typed, ids)
    contract, problems = check_document(doc)
    errors = [p for p in problems if p.severity == "error"]
    if contract is not None:
        contract = contract.read_from(c.source_dir)
    return contract, errors


def _override_keys(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[PathKey, str]:
    """Each path the overrides set in ``data`` → the override's key as written (a path
    by id, ``metrics[back_in_school].expected``, is where it leads: ``metrics[0]``)."""
    keys: dict[PathKey, str] = {}
    for key in overrides:
        resolved = resolve_path(data, key)
        if resolved is not None:
            keys[tuple(resolved)] = key
    return keys


def _unquoted_paths(data: dict[str, Any], unquoted: Collection[PathKey]) -> frozenset[PathKey]:
    """Each (override key, path under it) of ``unquoted`` as a path in ``data``."""
    out: set[PathKey] = set()
    for key, *under in unquoted:
        resolved = resolve_path(data, str(key))
        if resolved is not None:
            out.add((*resolved, *under))
    return frozenset(out)


def _ids(data: dict[str, Any]) -> set[str]:
    return {str(node["id"]) for _, node in distribution_tables(data) if "id" in node}


def _drop_correlations_of_removed(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Remove from ``after`` the correlations naming a distribution it no longer has."""
    removed = _ids(before) - _ids(after)
    uncertainty = after.get("uncertainty")
    if not removed or not isinstance(uncertainty, dict):
        return
    pairs = uncertainty.get("correlations")
    if isinstance(pairs, list):
        uncertainty["correlations"] = [
            c
            for c in pairs
            if not (isinstance(c, dict) and removed & set(map(str, c.get("between", []))))
        ]


def scenario_problems(doc: Document, c: Contract) -> list[Problem]:
    """An error at ``scenarios.NAME`` for each problem a scenario of the file would cause
    (unknown paths are the cross checks' to report)."""
    out: list[Problem] = []
    for name, overrides in c.scenarios.items():
        at = ("scenarios", name)
        bare = [path[2:] for path in doc.locator.unquoted if path[:2] == at and path[2:]]
        try:
            _, errors = changed_contract(c, overrides, doc.file, doc.fmt, unquoted=bare)
        except KeyError:
            continue
        for p in errors:
            out.append(doc.problem(("scenarios", name), "contract.scenario_invalid", because=p))
    return out
