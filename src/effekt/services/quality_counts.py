"""The data-quality counts ``effekt evaluate`` publishes, and the ones it must hide.

The report publishes, one by one and 1–4 as "< 5": the rows read, the duplicate rows
dropped, the rows outside the eligibility rules, each column's missing (or invalid)
values, attended/scheduled pairs that give no share, the outcomes the attrition and
missing-data policies imputed or excluded (per group, in the JSON), and the treated left
out (population, analysed, left out, excluded by the policies, not matched). They overlap,
and a reader who knows how they are made can combine them:

* a column's missing values are those among the ineligible rows, those excluded for a
  missing covariate, those whose outcome was missing (for an outcome column: every one
  of them, when the outcome has one column) and the rest analysed;
* every row excluded for a missing covariate misses one; every row the policies counted
  misses an outcome column or gives no share;
* a row missing an eligibility rule's column is ineligible; an eligible row has its
  treatment;
* the treated excluded by the policies are those missing a covariate, and (when the
  attrition policy excludes them) those without an outcome; the population's treated are
  those analysed and those left out; the rows read are the duplicates dropped, the
  ineligible and the eligible.

So where every other term is published, a count shown as "< 5" follows (7 missing
outcomes less 5 imputed for the treated: 2 comparison persons excluded), and so can one
that is not published at all (8 missing ages less the 6 treated excluded: 2 comparison
persons without an age) or one the table hides. :func:`hidden_quality_counts` models this
as a reader would — the persons of each fate (ineligible; per group, excluded for a
missing covariate, without an outcome, complete) and, per column, how many of them miss
it, all unknown whole numbers tied by these relations and by the published figures
(:mod:`effekt.engine.disclosure`) — and hides published counts ("–", each at least 5)
until no count of 1 to 4 persons, published as "< 5" or not published, is pinned down:
a column's missing values first, then the out-of-range pairs, the treated left out, the
rows read, duplicates, ineligible and, last, the policies' counts.

The model knows what the service knows of every reader: not which columns a row misses
together, how the analysed split between the table and outside it for matching, or which
rows fell outside an engaged population. It leaves out two certainties a reader has —
that no treated person in the table lacks a cohort, and that rows read hidden for a small
part have one — where they tie nothing the figures above do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from effekt.engine.disclosure import Combination, Relations, pinned

__all__ = ["BLOCKS", "QualityFacts", "hidden_quality_counts", "relations_the_data_breaks"]

#: The fates of the eligible rows, per group: excluded for a missing covariate, without an
#: outcome (imputed or excluded by the policies), complete.
_FATES = ("excluded", "unmeasured", "complete")
_GROUPS = ("treated", "comparison")
#: Every row read that was not a duplicate: the ineligible, and the eligible by fate.
BLOCKS = ("ineligible", *(f"{fate}_{group}" for fate in _FATES for group in _GROUPS))
#: The treated left out, as the report shows them (publication_figures.published_left_out).
_LEFT_OUT = ("population_treated", "left_out", "excluded_by_policies", "not_matched")


@dataclass(frozen=True)
class QualityFacts:
    """What became of the rows read, as the service knows it, and what the report shows.

    ``blocks``: the row numbers of each of :data:`BLOCKS`; ``missing``: per column, the
    rows missing it (the ineligible included); ``no_share``: per attended/scheduled pair,
    the rows that give no share; ``roles``: per column, any of "covariate", "outcome"
    (the evaluated outcome is missing when it is), "eligibility" (a rule's column: a row
    without it is ineligible), "treatment"; ``imputed``: per group, whether the policies
    impute a missing outcome (else exclude it); ``policy_keys``: per group, the name of
    the policy's count; ``analysed``: per group, the published table's total and whether
    it is shown; ``left_out``: the treated left out (``None`` for did) and
    ``left_out_shown`` as the report shows them (``None``: nobody left out, no line);
    ``whole_table``: every complete or imputed comparison row is in the table (rct,
    baseline); ``referred``: the population is everyone referred."""

    threshold: int
    rows_read: int
    rows_read_shown: bool
    duplicates: int
    blocks: dict[str, frozenset[int]]
    missing: dict[str, frozenset[int]]
    no_share: dict[str, frozenset[int]] = field(default_factory=dict)
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    imputed: dict[str, bool] = field(default_factory=dict)
    policy_keys: dict[str, str] = field(default_factory=dict)
    analysed: dict[str, tuple[int, bool]] = field(default_factory=dict)
    left_out: dict[str, Any] | None = None
    left_out_shown: dict[str, Any] | None = None
    whole_table: bool = False
    referred: bool = True


def _x(block: str, column: str) -> str:
    return f"x[{block}|{column}]"


def _n(block: str) -> str:
    return f"n[{block}]"


@dataclass
class _Model:
    """The reader's unknowns (with their true values), relations and published figures."""

    facts: QualityFacts
    truth: dict[str, int] = field(default_factory=dict)
    relations: list[tuple[Combination, float, float]] = field(default_factory=list)
    figures: dict[str, tuple[Combination, int]] = field(default_factory=dict)

    def unknown(self, name: str, value: int) -> str:
        self.truth[name] = value
        return name

    def value(self, combination: Combination) -> float:
        return sum(c * self.truth[name] for name, c in combination.items())


def _eligible(block: str) -> bool:
    return block != "ineligible"


def _may_miss(block: str, roles: frozenset[str]) -> bool:
    """Whether a row of ``block`` can miss a column with these roles, as the reader knows
    (only certainties: an eligible row has its treatment and every eligibility rule's
    column; one not excluded has its covariates; a complete one its outcome)."""
    if _eligible(block) and roles & {"treatment", "eligibility"}:
        return False
    if not block.startswith("excluded") and _eligible(block) and "covariate" in roles:
        return False
    return not (block.startswith("complete") and "outcome" in roles)


def _model(facts: QualityFacts, *, checked: bool = True) -> _Model:
    """The reader's model of ``facts``; ``checked``: without the relations the data breaks."""
    m = _Model(facts)
    rel = m.relations
    n = {b: m.unknown(_n(b), len(facts.blocks.get(b, frozenset()))) for b in BLOCKS}
    for column, rows in facts.missing.items():
        roles = facts.roles.get(column, frozenset())
        terms: Combination = {}
        for block in BLOCKS:
            truth = len(facts.blocks.get(block, frozenset()) & rows)
            if truth == 0 and not _may_miss(block, roles):
                continue  # a certainty the reader has (never imposed where it is false)
            x = m.unknown(_x(block, column), truth)
            terms[x] = 1.0
            rel.append(({x: 1.0, n[block]: -1.0}, -math.inf, 0.0))
        m.figures[f"missing:{column}"] = (terms, len(rows))
    for key, rows in facts.no_share.items():
        terms = {}
        for block in BLOCKS:
            if not block.startswith(("excluded", "unmeasured")):
                continue  # an analysed row has a share; the ineligible are not looked at
            k = m.unknown(_x(block, key), len(facts.blocks.get(block, frozenset()) & rows))
            terms[k] = 1.0
            rel.append(({k: 1.0, n[block]: -1.0}, -math.inf, 0.0))
            for column in facts.missing:  # a row that gives no share has both columns
                if _x(block, column) in m.truth and "outcome" in facts.roles.get(column, ()):
                    rel.append(({k: 1.0, _x(block, column): 1.0, n[block]: -1.0}, -math.inf, 0.0))
        m.figures[f"out_of_range:{key}"] = (terms, len(rows))
    for group in _GROUPS:  # each excluded row misses a covariate; each unmeasured an outcome
        for fate, role in (("excluded", "covariate"), ("unmeasured", "outcome")):
            block = f"{fate}_{group}"
            terms = {
                _x(block, c): 1.0
                for c in facts.missing
                if role in facts.roles.get(c, frozenset()) and _x(block, c) in m.truth
            }
            if fate == "unmeasured":
                terms.update({_x(block, k): 1.0 for k in facts.no_share})
            rel.append(({**terms, n[block]: -1.0}, 0.0, math.inf))
    m.figures["ineligible"] = ({n["ineligible"]: 1.0}, m.truth[n["ineligible"]])
    for group, key in facts.policy_keys.items():
        unmeasured = n[f"unmeasured_{group}"]
        m.figures[f"policies:{key}"] = ({unmeasured: 1.0}, m.truth[unmeasured])
    dup = m.unknown("duplicates", facts.duplicates)
    m.figures["duplicates"] = ({dup: 1.0}, facts.duplicates)
    m.figures["rows_read"] = ({dup: 1.0, **{n[b]: 1.0 for b in BLOCKS}}, facts.rows_read)
    _analysed(m, n)
    # a relation the truth breaks is a rule the data does not follow (an outcome column of
    # words only is not counted as missing): the reader cannot be sure of it either
    if checked:
        m.relations = [r for r in m.relations if _holds(m, r)]
    return m


def _holds(m: _Model, relation: tuple[Combination, float, float]) -> bool:
    combination, low, high = relation
    return low - 1e-9 <= m.value(combination) <= high + 1e-9


def _analysed(m: _Model, n: dict[str, str]) -> None:
    """The table's group totals and the treated left out, tied to the fates: a group's
    analysed are among its complete (and imputed) rows — all of them for the comparison
    group of rct and baseline — and for everyone referred the population's treated are
    the excluded, the unmeasured and the complete, of whom those the policies excluded
    and those not matched are left out."""
    facts, rel = m.facts, m.relations
    inside: dict[str, Combination] = {}
    for group in _GROUPS:
        inside[group] = {n[f"complete_{group}"]: -1.0}
        if facts.imputed.get(group, False):
            inside[group][n[f"unmeasured_{group}"]] = -1.0
    x = facts.left_out
    for group, (total, _) in facts.analysed.items():
        name = m.unknown(f"analysed[{group}]", total)
        m.figures[f"analysed:{group}"] = ({name: 1.0}, total)
        if group == "treated" and x is not None and facts.referred:
            continue  # tied through the treated left out, below
        equal = group == "comparison" and facts.whole_table
        rel.append(({name: 1.0, **inside[group]}, 0.0 if equal else -math.inf, 0.0))
    if x is None:
        return
    v = {k: m.unknown(f"left_out[{k}]", int(x[k])) for k in _LEFT_OUT}
    treated = m.unknown("analysed[treated]", int(x["analysed"]))
    rel.append(({v["population_treated"]: 1.0, treated: -1.0, v["left_out"]: -1.0}, 0.0, 0.0))
    rel.append(({v["left_out"]: 1.0, v["excluded_by_policies"]: -1.0, v["not_matched"]: -1.0},
                0.0, 0.0))  # fmt: skip
    excluded: Combination = {n["excluded_treated"]: -1.0}
    if not facts.imputed.get("treated", False):
        excluded[n["unmeasured_treated"]] = -1.0
    everyone = {n[f"{fate}_treated"]: -1.0 for fate in _FATES}
    low = 0.0 if facts.referred else -math.inf
    rel.append(({v["excluded_by_policies"]: 1.0, **excluded}, low, 0.0))
    rel.append(({v["population_treated"]: 1.0, **everyone}, low, 0.0))
    for k in _LEFT_OUT:
        m.figures[f"left_out:{k}"] = ({v[k]: 1.0}, int(x[k]))


def _form(m: _Model, name: str) -> str:
    """How the report shows a figure: "exact", "small" ("< 5"), "hidden" (not shown,
    the reader knowing no more than the other figures give), "zero_or_more" (left out of
    the treated-left-out line: 0 or at least 5), "unknown"."""
    facts, value = m.facts, m.figures[name][1]
    if name == "rows_read" and not facts.rows_read_shown:
        return "unknown"  # hidden for a small part: the reader knows no more than the parts
    if name.startswith("analysed:"):
        return "exact" if facts.analysed[name.split(":", 1)[1]][1] else "unknown"
    if name.startswith("left_out:"):
        key = name.split(":", 1)[1]
        if facts.left_out_shown is None:  # nobody left out, so no line: all but one are 0
            return "unknown" if key == "population_treated" else "exact"
        shown = facts.left_out_shown.get(key)
        if shown is None:
            return "zero_or_more"
        return "small" if isinstance(shown, str) else "exact"
    return "small" if 0 < value < facts.threshold else "exact"


def _published(m: _Model, hidden: set[str]) -> Relations:
    """The reader's relations: the model's, and each figure as the report shows it."""
    t = m.facts.threshold
    r = Relations()
    for row in m.relations:
        r.relate(*row)
    for name, (combination, value) in m.figures.items():
        form = "hidden" if name in hidden else _form(m, name)
        if form == "hidden":
            r.relate(combination, t, math.inf)  # a complement: 5 or more
        elif form == "small":
            r.relate(combination, 1, t - 1)  # shown as "< 5"
        elif form == "exact":
            r.relate(combination, value, value)
        elif form == "zero_or_more":
            _zero_or_at_least(r, name, combination, t, m.facts.rows_read)
    return r


def _zero_or_at_least(r: Relations, name: str, combination: Combination, t: int, big: int) -> None:
    """A count the report leaves out without saying why: 0, or at least ``t``."""
    z = f"is_shown_nonzero[{name}]"
    r.relate({z: 1.0}, 0, 1)
    r.relate({**combination, z: -float(t)}, 0, math.inf)
    r.relate({**combination, z: -float(max(big, t))}, -math.inf, 0)


def _protected(m: _Model) -> list[tuple[str, Combination, float]]:
    """Every count of persons the reader must not pin down when it is 1 to 4: each
    unknown (a fate, the rows of a fate missing a column), each fate's rows not missing
    a column, and each figure."""
    out: list[tuple[str, Combination, float]] = []
    for name, value in m.truth.items():
        out.append((name, {name: 1.0}, value))
        if name.startswith("x["):
            rest = {_n(name[2:].split("|", 1)[0]): 1.0, name: -1.0}
            out.append((f"{name}~", rest, m.value(rest)))
    out += [(name, c, value) for name, (c, value) in m.figures.items()]
    return [(name, c, v) for name, c, v in out if 0 < v < m.facts.threshold]


def _candidates(m: _Model, hidden: set[str]) -> list[str]:
    """The published figures that can be hidden to protect a count, in order of what the
    report loses least by: a column's missing values first, the policies' counts last."""
    order = ("missing:", "out_of_range:", "left_out:", "rows_read", "duplicates", "ineligible",
             "policies:")  # fmt: skip
    return [
        name
        for prefix in order
        for name, (_, value) in m.figures.items()
        if name.startswith(prefix)
        and name not in hidden
        and value >= m.facts.threshold
        and _form(m, name) == "exact"
    ]


def hidden_quality_counts(facts: QualityFacts) -> list[str]:
    """The data-quality counts the report hides ("–") so that no count of 1 to
    ``threshold`` − 1 persons follows from the published ones (see the module docstring):
    ``rows_read``, ``duplicates``, ``ineligible``, ``missing:<column>``,
    ``out_of_range:<pair>``, ``policies:<key>``, ``left_out:<key>``."""
    m = _model(facts)
    hidden: set[str] = set()
    relations = _published(m, hidden)
    # hiding a figure only widens what the reader thinks possible, so a count once free
    # stays free: only those pinned so far are looked at again
    found = [q for q in _protected(m) if pinned(relations, q[1], q[2])]
    while found:
        _, quantity, value = found[0]
        candidates = _candidates(m, hidden)
        if not candidates:
            # every figure of 5 or more is hidden and a small count still follows from
            # what is left (the "< 5"s and the relations): publish none of the counts,
            # rather than one that gives a person away
            return sorted(m.figures)
        pick = next(
            (c for c in candidates if not pinned(_published(m, hidden | {c}), quantity, value)),
            candidates[0],
        )
        hidden.add(pick)
        relations = _published(m, hidden)
        found = [q for q in found if pinned(relations, q[1], q[2])]
    return sorted(hidden)


def relations_the_data_breaks(facts: QualityFacts) -> int:
    """How many of the reader's relations the true counts break (and the model drops): 0
    for data as the importer and the policies make it (a check of the model)."""
    m = _model(facts, checked=False)
    return sum(not _holds(m, r) for r in m.relations)
