"""No count the published table hides can be worked out from everything else the verified
outcome report publishes: the pooled figures (treated and counterfactual means, group
sizes, a pooled rule's effect), the per-cohort measurements behind the payments and the
settle engine's per-cohort decisions.

The data: three cohorts, treated and comparison, a binary outcome. Cohort a has 3 treated
persons who achieved it and b 2 comparison persons who did: both must stay hidden. The
test plays the reader: every published figure becomes a linear relation between the
table's cells (a share times its published number of persons is a count), and a hidden
cell is worked out when its smallest and largest value under those relations agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from scipy import optimize

from effekt.cli import main

# (cohort, treated, achieved, not achieved)
CELLS = [("a", 1, 3, 17), ("a", 0, 12, 18), ("b", 1, 10, 15),
         ("b", 0, 2, 20), ("c", 1, 9, 9), ("c", 0, 7, 11)]  # fmt: skip

HEAD = """\
format_version = 1
id = "liten"
currency = "SEK"
start = 2027-01-01
period = "year"
term_periods = 5

[[parties]]
id = "kommun"
role = "commissioner"

[[parties]]
id = "utforare"
role = "provider"

[[cohorts]]
id = "a"
start_period = 1
size = 20

[[cohorts]]
id = "b"
start_period = 2
size = 25

[[cohorts]]
id = "c"
start_period = 3
size = 18

[[metrics]]
id = "utfall"
definition = "Achieves the outcome."
kind = "binary"
direction = "increase"
counterfactual = "randomised"
expected = 0.4
baseline = 0.3
"""


def rule(id: str, kind: str, **fields: Any) -> str:
    lines = [f'id = "{id}"', f'kind = "{kind}"', 'metric = "utfall"']
    lines += [f"{k} = {json.dumps(v)}" for k, v in fields.items()]
    return "[[rules]]\n" + "\n".join(lines) + "\n"


# rule id → (measure, cohorts pooled over or None for per cohort), for the reader
RULES: dict[str, dict[str, tuple[str, list[str] | None]]] = {
    "per_cohort_level": {"niva": ("level", None)},
    "per_cohort_difference": {"skillnad": ("absolute_difference", None)},
    "pooled_level": {"poolad": ("level", ["a", "b", "c"])},
    "pooled_over_two_cohorts": {"ab": ("level", ["a", "b"])},
    "rate_card": {},
}
CONTRACT_RULES = {
    "per_cohort_level": rule("niva", "threshold", measure="level", scope="cohort",
                             threshold=0.1, amount=10),
    "per_cohort_difference": rule("skillnad", "threshold", measure="absolute_difference",
                                  scope="cohort", threshold=-1, amount=10),
    "pooled_level": rule("poolad", "threshold", measure="level", scope="all_cohorts",
                         threshold=0.1, amount=10),
    "pooled_over_two_cohorts": rule("ab", "threshold", measure="level",
                                    scope="all_cohorts", cohorts=["a", "b"], threshold=0.1,
                                    amount=10),
    "rate_card": rule("per_utfall", "rate_card", price=1000),
}  # fmt: skip


def data(path: Path, cells: list[tuple[str, int, int, int]] = CELLS) -> Path:
    rows = []
    for cohort, treated, yes, no in cells:
        rows += [(cohort, treated, 1)] * yes + [(cohort, treated, 0)] * no
    pd.DataFrame(rows, columns=["kohort", "behandlad", "utfall"]).to_csv(path, index=False)
    return path


def evaluate(
    tmp_path: Path,
    rules: str | None,
    *args: str,
    cells: list[tuple[str, int, int, int]] = CELLS,
    report_name: str = "r.json",
) -> tuple[Result, dict[str, Any]]:
    """The text output and the JSON report of ``effekt evaluate`` on the data (with
    ``report_name`` an .html, its text under "html")."""
    argv = ["evaluate", str(data(tmp_path / "d.csv", cells)), "--treatment", "behandlad",
            "--outcome", "utfall", "--cohort", "kohort", "--method", "rct"]  # fmt: skip
    if rules is not None:
        contract = tmp_path / "c.toml"
        contract.write_text(HEAD + "\n" + rules, encoding="utf-8")
        argv += ["--contract", str(contract), "--metric", "utfall"]
    report = tmp_path / report_name
    result = CliRunner().invoke(main, [*argv, *args, "--report", str(report)])
    assert result.exit_code == 0, result.output
    body = report.read_text(encoding="utf-8")
    return result, json.loads(body) if report_name.endswith(".json") else {"html": body}


def truth(table: dict[str, Any], cells: list[tuple[str, int, int, int]]) -> np.ndarray:
    """The true counts in the published table's layout (rows cohort × group)."""
    known = {(c, "treated" if t else "comparison"): (yes, no) for c, t, yes, no in cells}
    return np.array([known[(r["cohort"], r["group"])] for r in table["rows"]], dtype=float)


def reader_relations(
    report: dict[str, Any], rules: dict[str, tuple[str, list[str] | None]]
) -> tuple[list[np.ndarray], list[float]]:
    """Every published figure as ``coefficients · cells = value`` over the table's cells."""
    table = report["published"]
    rows, cols = len(table["rows"]), len(table["columns"])
    achieved = table["columns"].index("achieved")
    index = {(r["cohort"], r["group"]): i for i, r in enumerate(table["rows"])}
    lhs: list[np.ndarray] = []
    rhs: list[float] = []

    def add(cells: list[tuple[int, int]], value: float) -> None:
        a = np.zeros(rows * cols)
        for i, j in cells:
            a[i * cols + j] = 1.0
        lhs.append(a)
        rhs.append(float(value))

    def group(g: str) -> list[int]:
        return [i for i, r in enumerate(table["rows"]) if r["group"] == g]

    for i in range(rows):
        for j in range(cols):
            if table["cells"][i][j] is not None:
                add([(i, j)], table["cells"][i][j])
        if table["row_totals"][i] is not None:
            add([(i, j) for j in range(cols)], table["row_totals"][i])
    for j in range(cols):
        if table["column_totals"][j] is not None:
            add([(i, j) for i in range(rows)], table["column_totals"][j])
    if table["total"] is not None:
        add([(i, j) for i in range(rows) for j in range(cols)], table["total"])
    for g, totals in (table.get("group_totals") or {}).items():
        for j, v in enumerate(totals["cells"]):
            if v is not None:
                add([(i, j) for i in group(g)], v)
        if totals["total"] is not None:
            add([(i, j) for i in group(g) for j in range(cols)], totals["total"])

    def size(g: str) -> float | None:
        """The group's size as the reader can get it: stated, or its row totals summed."""
        stated = report["effect"]["n_treated" if g == "treated" else "n_control"]
        if stated is not None:
            return float(stated)
        totals = [table["row_totals"][i] for i in group(g)]
        return None if None in totals else float(sum(totals))

    def cohort_size(cohort: str) -> float | None:
        i = index[(cohort, "treated")]
        if table["row_totals"][i] is not None:
            return float(table["row_totals"][i])
        shown = [m["n_treated"] for m in (report.get("measurements") or {}).get("rows", [])
                 if m["cohort"] == cohort]  # fmt: skip
        return float(shown[0]) if shown and shown[0] is not None else None

    def share(g: str, value: float | None, members: list[str] | None = None) -> None:
        """A published share of ``g`` over ``members`` (all cohorts by default)."""
        if value is None:
            return
        cohorts = members or sorted({r["cohort"] for r in table["rows"]})
        sizes = [cohort_size(c) for c in cohorts] if members else [size(g)]
        if None in sizes:
            return
        n = sum(s for s in sizes if s is not None)
        add([(index[(c, g)], achieved) for c in cohorts if (c, g) in index], round(value * n))

    effect = report["effect"]
    share("treated", effect["treated_mean"])
    share("comparison", effect["counterfactual_mean"])  # rct: the comparison mean
    for d in report.get("decisions") or []:
        if d.get("measure") == "level" or d.get("above_baseline") is False:
            share("treated", d.get("value", d.get("per_person")))
    for m in (report.get("measurements") or {}).get("rows", []):
        share("treated", m["treated"], [m["cohort"]])
    cf = effect["counterfactual_mean"]
    for d in ((report.get("payments") or {}).get("decisions")) or []:
        if d["rule"] not in rules or d["effect"] is None:
            continue
        measure, pooled = rules[d["rule"]]
        value = d["effect"] if measure == "level" else (None if cf is None else d["effect"] + cf)
        share("treated", value, pooled if d["cohort"] is None else [d["cohort"]])
    return lhs, rhs


def worked_out(
    report: dict[str, Any],
    rules: dict[str, tuple[str, list[str] | None]],
    cells: list[tuple[str, int, int, int]] = CELLS,
) -> dict[tuple[str, str, str], float]:
    """The hidden cells the reader can work out exactly, with their value."""
    table = report["published"]
    lhs, rhs = reader_relations(report, rules)
    a_eq, b_eq = np.array(lhs), np.array(rhs)
    true = truth(table, cells)
    assert np.allclose(a_eq @ true.ravel(), b_eq), "a published figure is not what the data say"
    cols = len(table["columns"])
    out = {}
    for i, r in enumerate(table["rows"]):
        for j, column in enumerate(table["columns"]):
            if table["cells"][i][j] is not None:
                continue
            bounds = []
            for sign in (1.0, -1.0):
                c = np.zeros(a_eq.shape[1])
                c[i * cols + j] = sign
                res = optimize.linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
                assert res.status == 0, res.message
                bounds.append(sign * res.fun)
            if bounds[1] - bounds[0] < 0.5:
                out[(r["cohort"], r["group"], column)] = bounds[0]
    return out


def test_the_small_cells_are_hidden_in_the_published_table(tmp_path: Path) -> None:
    _, report = evaluate(tmp_path, None)
    table = report["published"]
    cell = {(r["cohort"], r["group"]): table["cells"][i] for i, r in enumerate(table["rows"])}
    assert cell[("a", "treated")][0] is None and cell[("b", "comparison")][0] is None


def test_no_hidden_cell_follows_from_the_pooled_means_and_group_sizes(tmp_path: Path) -> None:
    # before: treated mean 22/63 × 63 = 22 treated achieved, minus b's 10 and c's 9 = a's 3;
    # counterfactual mean 0.3 × 70 = 21, minus a's 12 and c's 7 = b's 2
    _, report = evaluate(tmp_path, None)
    assert worked_out(report, {}) == {}


@pytest.mark.parametrize("rules", sorted(CONTRACT_RULES))
def test_no_hidden_cell_follows_from_the_figures_behind_the_payments(
    tmp_path: Path, rules: str
) -> None:
    # before, per cohort: the settle engine's decision gave a's level as 15 %, and 15 % of
    # its 20 treated is 3; pooled over a and b: 13/45 × 45 − b's 10 = 3
    _, report = evaluate(tmp_path, CONTRACT_RULES[rules])
    assert worked_out(report, RULES[rules]) == {}


def test_pooled_figures_are_the_published_totals_of_the_treated_and_comparison_groups(
    tmp_path: Path,
) -> None:
    _, report = evaluate(tmp_path, CONTRACT_RULES["pooled_level"])
    table, effect = report["published"], report["effect"]
    treated, comparison = table["group_totals"]["treated"], table["group_totals"]["comparison"]
    assert (treated["cells"], treated["total"]) == ([22, 41], 63)
    assert (comparison["cells"], comparison["total"]) == ([21, 49], 70)
    assert (effect["n_treated"], effect["n_control"]) == (63, 70)
    assert round(effect["treated_mean"] * 63) == 22
    assert round(effect["counterfactual_mean"] * 70) == 21
    pooled = next(d for d in report["payments"]["decisions"] if d["rule"] == "poolad")
    assert pooled["effect"] == pytest.approx(22 / 63, abs=1e-6)


# 3 treated achieved it in all: the pooled treated mean (3/63) would give the 3 away
FEW = [("a", 1, 2, 18), ("a", 0, 12, 18), ("b", 1, 1, 24),
       ("b", 0, 10, 20), ("c", 1, 0, 18), ("c", 0, 7, 11)]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "note", "decision"),
    [
        ("sv", "Medelvärdena över alla kohorter, standardfelet och p-värdet samt de "
               "beslutsvärden som skulle avslöja dem visas inte (–)", "poolad: nivå – ≥ 1\u00a0%? ja"),
        ("en", "The means over all cohorts, the standard error and p-value, and the decision "
               "values that would give them away, are not shown (–)",
               "poolad: level – ≥ 1\u00a0%? yes"),
    ],
)  # fmt: skip
def test_a_group_with_few_achieving_in_all_cohorts_hides_the_pooled_means_and_says_why(
    tmp_path: Path, lang: str, note: str, decision: str
) -> None:
    rules = rule("poolad", "threshold", measure="level", scope="all_cohorts", threshold=0.01,
                 amount=10)  # fmt: skip
    text, report = evaluate(tmp_path, rules, "--lang", lang, cells=FEW)
    treated = report["published"]["group_totals"]["treated"]
    assert treated["cells"] == [None, None] and treated["total"] == 63
    assert report["pooled_published"] is False
    effect = report["effect"]
    assert (effect["treated_mean"], effect["counterfactual_mean"]) == (None, None)
    assert effect["estimate"] == pytest.approx(3 / 63 - 29 / 78)  # always published
    assert (effect["se"], effect["p_value"]) == (None, None)  # they give the means back
    pooled = next(d for d in report["payments"]["decisions"] if d["rule"] == "poolad")
    assert pooled["effect"] is None and pooled["triggered"] is True
    assert next(d for d in report["decisions"] if d["rule"] == "poolad")["value"] is None
    assert worked_out(report, {"poolad": ("level", ["a", "b", "c"])}, FEW) == {}
    html = evaluate(tmp_path, rules, "--lang", lang, cells=FEW, report_name="r.html")[1]["html"]
    for body in (text.stdout, html):
        assert note in body
        assert "0,04762" not in body and "0.04762" not in body  # 3/63
    assert decision in text.stdout


@pytest.mark.parametrize(
    ("lang", "warning"),
    [
        ("sv", "För kohorterna vars siffror är undertryckta (a, c) är en betalning per utfall "
               "priset gånger ett antal utfall"),
        ("en", "For the cohorts whose figures are suppressed (a, c), a payment per outcome is "
               "the price times a number of outcomes"),
    ],
)  # fmt: skip
def test_payments_stay_published_and_the_report_warns_where_they_can_give_a_count_away(
    tmp_path: Path, lang: str, warning: str
) -> None:
    text, report = evaluate(tmp_path, CONTRACT_RULES["rate_card"], "--lang", lang)
    rows = {m["cohort"]: m["treated"] for m in report["measurements"]["rows"]}
    assert rows == {"a": None, "b": 0.4, "c": None}
    # cohort a's payment is 1 000 kr for each of its 3 treated who achieved the outcome:
    # contractual, so published, and the report says what it can give away
    amounts = sorted(p["amount"] for p in report["payments"]["payments"])
    assert amounts == [3000.0, 9000.0, 10000.0]
    assert report["payments"]["suppressed_cohorts_paid_per_outcome"] == ["a", "c"]
    assert warning in text.stdout


def test_no_warning_about_payments_when_no_cohort_is_suppressed(tmp_path: Path) -> None:
    cells = [(c, t, yes + 5, no) for c, t, yes, no in CELLS]
    text, report = evaluate(tmp_path, CONTRACT_RULES["rate_card"], cells=cells)
    assert report["measurements"]["suppressed_cohorts"] == 0
    assert report["payments"]["suppressed_cohorts_paid_per_outcome"] == []
    assert "payment per outcome" not in text.stdout


def test_a_cohort_written_with_spaces_is_one_cohort_in_the_table_and_the_measurements(
    tmp_path: Path,
) -> None:
    # cohort b written "b " (treated) and " b" (comparison) in the data: the measurements
    # behind the payments read it as b; before, the table labelled it "b " and " b", and
    # so hid b's measurements, every cell of which it publishes
    pad = {1: "b ", 0: " b"}
    padded = [(pad[t] if c == "b" else c, t, yes, no) for c, t, yes, no in CELLS]
    report = evaluate(tmp_path, CONTRACT_RULES["rate_card"], cells=padded)[1]
    assert {r["cohort"] for r in report["published"]["rows"]} == {"a", "b", "c"}
    rows = {m["cohort"]: m for m in report["measurements"]["rows"]}
    assert rows["b"]["treated"] == pytest.approx(0.4)
    assert rows["b"]["n_treated"] == 25
    assert report["payments"]["suppressed_cohorts_paid_per_outcome"] == ["a", "c"]


def test_cohorts_numbered_by_year_are_read_as_the_contracts_even_with_a_blank_cell(
    tmp_path: Path,
) -> None:
    # a numeric cohort column with one blank cell is read as decimals (2024.0); before, the
    # run stopped: cohort "2024.0" unknown, the contract's cohorts being 2024, 2025, 2026
    years = {"a": "2024", "b": "2025", "c": "2026"}
    cells = [(years[c], t, yes, no) for c, t, yes, no in CELLS]
    path = data(tmp_path / "d.csv", cells)
    frame = pd.read_csv(path)
    frame.loc[len(frame)] = [None, 0, 0]  # a comparison person with no cohort
    frame.to_csv(path, index=False)
    assert pd.read_csv(path)["kohort"].dtype == float
    head = HEAD
    for old, new in years.items():
        head = head.replace(f'id = "{old}"', f'id = "{new}"')
    contract = tmp_path / "c.toml"
    contract.write_text(head + "\n" + CONTRACT_RULES["rate_card"], encoding="utf-8")
    report = tmp_path / "r.json"
    result = CliRunner().invoke(
        main,
        ["evaluate", str(path), "--treatment", "behandlad", "--outcome", "utfall",
         "--cohort", "kohort", "--method", "rct", "--contract", str(contract),
         "--metric", "utfall", "--report", str(report)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    published = json.loads(report.read_text(encoding="utf-8"))
    assert {m["cohort"] for m in published["measurements"]["rows"]} == set(years.values())
    assert {r["cohort"] for r in published["published"]["rows"]} >= set(years.values())
