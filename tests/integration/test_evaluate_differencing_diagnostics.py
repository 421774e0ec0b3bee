"""No figure the verified outcome report publishes beside the effect — the covariate
balance, the Rosenbaum bounds, the standard error, the unadjusted difference, the other
population's effect, the method's parameters, the rows read — lets a reader work out a
count of 1–4 persons or one person's value.

Each test plays the reader on the JSON report of ``effekt evaluate``: the arithmetic a
reader can do with the published figures (a 0/1 covariate's mean times the group's size
is a count; a t interval's width over its standard error is a t quantile, whose degrees
of freedom are the group's size less one; a mean written in full is a fraction whose
denominator can be read back), and, for the Rosenbaum bounds, a search over every table of
matched sets the published figures allow. Before, each reader found the hidden count or
value; now it cannot.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from effekt.cli import main
from effekt.engine.evaluation.matching import matched_difference
from effekt.engine.evaluation.rosenbaum import critical_gamma, rosenbaum_bounds

KEY = "ab" + "".join(f"{i:02x}" for i in range(31))


def evaluate(
    tmp_path: Path, frame: pd.DataFrame, *args: str, mapping: str | None = None
) -> dict[str, Any]:
    """The JSON report of ``effekt evaluate`` on ``frame`` (and the mapping file's text)."""
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    argv = ["evaluate", str(data), *args]
    if mapping is not None:
        (tmp_path / "m.toml").write_text(mapping, encoding="utf-8")
        argv += ["--mapping", str(tmp_path / "m.toml")]
    report = tmp_path / "r.json"
    result = CliRunner().invoke(main, [*argv, "--report", str(report)], env={"KEY": KEY})
    assert result.exit_code == 0, result.output
    return dict(json.loads(report.read_text(encoding="utf-8")))


def group_total(report: dict[str, Any], group: str, column: int | None = None) -> int | None:
    totals = report["published"]["group_totals"][group]
    return totals["total"] if column is None else totals["cells"][column]


# ------------------------------------------------------------------ covariate balance


def matched(n_treated: int, comparison: list[dict[str, Any]], seed: int = 1) -> pd.DataFrame:
    """Treated persons aged 12–16 (the first two with earlier support and living in
    kommun A) and the given comparison persons; the outcome at random."""
    rng = np.random.default_rng(seed)
    treated = [{"grupp": 1, "alder": float(rng.integers(12, 17)), "stod": int(i < 2),
                "kommun": "A" if i < 2 else "BC"[i % 2]} for i in range(n_treated)]  # fmt: skip
    rows = [*treated, *({"grupp": 0, **c} for c in comparison)]
    for row in rows:
        row["utfall"] = int(rng.random() < 0.45)
    return pd.DataFrame(rows)


def comparison_pool(n: int, seed: int = 2) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [{"alder": float(rng.integers(12, 17)), "stod": int(rng.random() < 0.3),
             "kommun": "ABC"[i % 3]} for i in range(n)]  # fmt: skip


PSM = ["--treatment", "grupp", "--outcome", "utfall", "--method", "psm"]


def treated_counts(report: dict[str, Any], row: str) -> set[int]:
    """Every number of treated persons with a 0/1 balance row's value (of the published
    number of treated, all matched 1:1) that the published figures allow: the mean times
    the number, else the after-matching SMD — (k − i)/n over √(k/n · (1 − k/n)), for a
    number i of matched comparison persons — within its published precision."""
    n = report["effect"]["n_treated"]
    b = report["balance"][row]
    if b.get("mean_treated") is not None:
        return {round(b["mean_treated"] * n)}
    if b["smd_after"] is None:
        return set(range(n + 1))
    found = set()
    for k in range(n + 1):
        sd = math.sqrt(k / n * (1 - k / n))
        for i in range(n + 1):
            diff = (k - i) / n
            smd = diff / sd if abs(diff) > 1e-8 and sd > 0 else diff
            if sd == 0 or abs(smd - b["smd_after"]) <= 0.005 + 1e-9:
                found.add(k)
    return found


def test_a_covariate_few_treated_have_is_not_given_away_by_the_balance(tmp_path: Path) -> None:
    # before: earlier support's treated mean 0.05 × 40 treated = the 2 who had it
    report = evaluate(tmp_path, matched(40, comparison_pool(80)), *PSM,
                      "--covariates", "alder,stod")  # fmt: skip
    assert report["effect"]["n_treated"] == 40
    assert len(treated_counts(report, "stod")) > 1
    assert report["balance"]["stod"]["suppressed"] is True
    assert report["balance"]["alder"]["smd_after"] is not None  # no small count behind it


def test_a_categorical_covariates_small_first_level_is_not_given_away(tmp_path: Path) -> None:
    # before: kommun B's and C's treated means gave 19 and 19 of 40, so A (the reference
    # level, which has no row of its own) had the other 2
    report = evaluate(tmp_path, matched(40, comparison_pool(80)), *PSM,
                      "--covariates", "alder,kommun")  # fmt: skip
    n = report["effect"]["n_treated"]
    per_level = [treated_counts(report, row) for row in ("kommunB", "kommunC")]
    reference = {n - b - c for b in per_level[0] for c in per_level[1] if b + c <= n}
    assert len(reference) > 1


def value_of_the_one_not_matched(report: dict[str, Any]) -> float | None:
    """The comparison persons before matching are the rows read less the treated; one
    more than were matched, that one's value is the difference of the sums."""
    b = next(iter(report["balance"].values()))
    rows, n = report["quality"]["rows_read"], report["effect"]["n_control"]
    if rows is None or b.get("mean_control_before") is None:
        return None
    before = rows - report["effect"]["n_treated"]
    if before != n + 1:
        return None
    return float(before * b["mean_control_before"] - n * b["mean_control_after"])


def test_the_balance_gives_no_value_of_the_one_comparison_person_left_unmatched(
    tmp_path: Path,
) -> None:
    # 40 treated, 41 comparison persons, 1:1: before, 41 × the mean age before matching
    # less 40 × the mean after was the age of the one left unmatched
    report = evaluate(tmp_path, matched(40, comparison_pool(41)), *PSM, "--covariates", "alder")
    assert report["effect"]["n_control"] == 40
    assert value_of_the_one_not_matched(report) is None
    assert report["balance"]["alder"]["smd_after"] is not None


# --------------------------------------------------------------------- Rosenbaum bounds


def test_the_number_of_matched_sets_does_not_give_a_hidden_number_of_treated(
    tmp_path: Path,
) -> None:
    report = evaluate(tmp_path, matched(4, comparison_pool(40)), *PSM, "--covariates", "alder")
    assert group_total(report, "treated") is None  # 4 treated: hidden
    said = [report["effect"]["n_treated"], report["sensitivity"]["n_sets"]]
    assert said == [None, None]  # before, n_sets was 4


SETS = [(1, 0), (1, 1), (1, 2), (0, 0), (0, 1), (0, 2)]  # (treated achieved, controls achieving)


def matched_sets(counts: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcome, treatment and set of each person for so many sets of each kind (1:2)."""
    y, t, s = [], [], []
    for (treated, controls), m in zip(SETS, counts, strict=True):
        for _ in range(m):
            y += [treated, int(controls >= 1), int(controls >= 2)]
            t += [True, False, False]
            s += [len(s) // 3] * 3
    return np.array(y, dtype=float), np.array(t), np.array(s)


def differences(counts: tuple[int, ...]) -> np.ndarray:
    return np.repeat([a - c / 2 for a, c in SETS], counts)


def sets_consistent(report: dict[str, Any]) -> list[tuple[int, ...]]:
    """Every table of matched sets (1:2, binary outcome) the published figures allow: the
    treated and comparison persons achieving it (the group totals), the estimate and its
    standard error, and the Rosenbaum bounds as far as they are published."""
    n = report["effect"]["n_treated"]
    a, c = group_total(report, "treated", 0), group_total(report, "comparison", 0)
    sens = report["sensitivity"]
    found = []
    for x10 in range(a + 1):
        for x11 in range(a - x10 + 1):
            for x00 in range(n - a + 1):
                for x01 in range(n - a - x00 + 1):
                    counts = (x10, x11, a - x10 - x11, x00, x01, n - a - x00 - x01)
                    if x11 + 2 * counts[2] + x01 + 2 * counts[5] != c:
                        continue
                    y, t, s = matched_sets(counts)
                    se = matched_difference(y, t, np.ones_like(y), s).se
                    if abs(se - report["effect"]["se"]) > 1e-9:
                        continue
                    d = differences(counts)
                    if "p_upper" in sens:
                        bounds = rosenbaum_bounds(d, np.zeros_like(d), gamma_max=3.0,
                                                  gamma_step=0.25).p_upper  # fmt: skip
                        if not np.allclose(bounds, sens["p_upper"], rtol=0, atol=1e-12):
                            continue
                    gamma = critical_gamma(d, sens["alpha"], max_gamma=sens["max_gamma"])
                    if abs(gamma - sens["critical_gamma"]) > 0.005 + 1e-9:
                        continue
                    found.append(counts)
    return found


def test_the_rosenbaum_bounds_do_not_give_away_the_table_of_matched_sets(
    tmp_path: Path,
) -> None:
    # before: the p-value bounds per Γ left one table of 30 matched sets, (3, 6, 2, 9, 8,
    # 2): 3 sets whose treated person achieved it and neither control did, …
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        [{"grupp": 1, "x": rng.normal(0.3, 1), "utfall": int(rng.random() < 0.5)}
         for _ in range(30)]
        + [{"grupp": 0, "x": rng.normal(0, 1), "utfall": int(rng.random() < 0.4)}
           for _ in range(90)]
    )  # fmt: skip
    report = evaluate(tmp_path, frame, *PSM, "--covariates", "x", "--ratio", "2")
    assert report["effect"]["n_treated"] == 30
    tables = sets_consistent(report)
    assert len(tables) > 1
    assert len({t[0] for t in tables}) > 1  # 3 of 30 cannot be pinned down


# ------------------------------------------------------------ standard error, p-value

CONTRACT = """\
format_version = 1
id = "poang"
currency = "SEK"
start = 2027-01-01
period = "year"
term_periods = 3

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

[[metrics]]
id = "poang"
definition = "A score after a year."
kind = "continuous"
unit = "score"
direction = "increase"
counterfactual = "historical_baseline"
expected = 6.0
baseline = 5.0

[[rules]]
id = "battre"
kind = "threshold"
metric = "poang"
measure = "absolute_difference"
threshold = 0.0
amount = 10
"""


def values_from_the_standard_error(report: dict[str, Any], baseline: float) -> list[float] | None:
    """The persons' values: the width of the t interval over the standard error is the t
    quantile, with the number of treated less one degrees of freedom; the estimate plus
    the contract's baseline is their mean, the standard error times √n their spread."""
    e = report["effect"]
    if e["se"] is None:
        return None
    q = (e["ci_high"] - e["estimate"]) / e["se"]
    n = next(n for n in range(2, 1000) if abs(stats.t.isf(0.025, n - 1) - q) < 1e-9)
    if n != 2:
        return None
    mean, sd = e["estimate"] + baseline, e["se"] * math.sqrt(n)
    return [mean - sd / math.sqrt(2), mean + sd / math.sqrt(2)]


def test_the_standard_error_does_not_give_away_the_values_of_two_treated(
    tmp_path: Path,
) -> None:
    # before: q = 12.71, the t quantile with 1 degree of freedom, so two persons, with mean
    # 5.95 and standard deviation 3.18: their scores 3.7 and 8.2
    (tmp_path / "c.toml").write_text(CONTRACT, encoding="utf-8")
    frame = pd.DataFrame({"behandlad": [1, 1], "poang": [3.7, 8.2]})
    report = evaluate(tmp_path, frame, "--contract", str(tmp_path / "c.toml"), "--metric",
                      "poang", "--treatment", "behandlad", "--outcome", "poang", "--method",
                      "baseline")  # fmt: skip
    assert report["effect"]["estimate"] == pytest.approx(0.95)  # published whatever
    assert values_from_the_standard_error(report, 5.0) is None
    assert report["effect"]["p_value"] is None
    assert report["quality"]["rows_read"] is None  # the 2 rows read would give n


# ----------------------------------------------------- the unadjusted difference


def not_matched_from_the_naive(report: dict[str, Any]) -> tuple[int, int] | None:
    """(comparison persons not matched, of them achieving it): the treated mean less the
    unadjusted difference is the share over every comparison person, who are the rows
    read less the treated."""
    e, naive, rows = report["effect"], report["naive"]["estimate"], report["quality"]["rows_read"]
    if naive is None or rows is None or e["treated_mean"] is None:
        return None
    pool = rows - e["n_treated"]
    achieved = round((e["treated_mean"] - naive) * pool)
    return pool - e["n_control"], achieved - group_total(report, "comparison", 0)


def test_the_unadjusted_difference_does_not_give_away_the_comparison_persons_not_matched(
    tmp_path: Path,
) -> None:
    # 40 treated, 43 comparison persons: the 3 unlike anyone treated achieved it and are
    # not matched. Before: treated mean − naive = 18/43, the pool's share; 43 − 40 matched
    # = 3 not matched, 18 − the 15 matched who achieved it = 3 of them achieved it
    rng = np.random.default_rng(4)
    treated = [{"grupp": 1, "x": rng.normal(0, 1), "utfall": int(i < 18)} for i in range(40)]
    alike = [{"grupp": 0, "x": rng.normal(0, 1), "utfall": int(i < 15)} for i in range(40)]
    unlike = [{"grupp": 0, "x": 9.0 + i, "utfall": 1} for i in range(3)]
    report = evaluate(tmp_path, pd.DataFrame(treated + alike + unlike), *PSM, "--covariates", "x")
    assert (report["effect"]["n_treated"], report["effect"]["n_control"]) == (40, 40)
    assert group_total(report, "comparison", 0) == 15
    assert not_matched_from_the_naive(report) is None


# ------------------------------------------------------------ the other population

ENGAGED = """\
format_version = 1
[columns]
treatment = "behandlad"
engaged = "deltog"
[[outcomes]]
metric = "utfall"
kind = "value"
column = "utfall"
"""


def not_engaged_from_the_other_population(report: dict[str, Any]) -> tuple[int, int] | None:
    """(treated who did not engage, of them achieving it): the engaged's estimate plus the
    comparison mean is their share, a fraction whose denominator is their number."""
    other = report["other_populations"]["engaged_only"]
    e = report["effect"]
    if other is None or e["counterfactual_mean"] is None:
        return None
    share = Fraction(other["estimate"] + e["counterfactual_mean"]).limit_denominator(1000)
    n = e["n_treated"]
    return n - share.denominator, round(e["treated_mean"] * n) - share.numerator


def test_the_engaged_only_effect_does_not_give_away_the_few_who_did_not_engage(
    tmp_path: Path,
) -> None:
    # before: 20/37 of the engaged achieved it; 40 − 37 = 3 did not engage, 2 of them
    # achieved it
    rows = ([(1, 1, 1)] * 20 + [(1, 1, 0)] * 17 + [(1, 0, 1)] * 2 + [(1, 0, 0)]
            + [(0, 0, 1)] * 15 + [(0, 0, 0)] * 25)  # fmt: skip
    frame = pd.DataFrame(rows, columns=["behandlad", "deltog", "utfall"])
    report = evaluate(tmp_path, frame, "--metric", "utfall", "--method", "rct",
                      "--outcome-kind", "binary", mapping=ENGAGED)  # fmt: skip
    assert report["pooled_published"] is True
    assert not_engaged_from_the_other_population(report) is None


# ------------------------------------------------------------ the method's parameters

DID = """\
format_version = 1
[identifier]
column = "id"
kind = "other"
key_env = "KEY"
[columns]
treatment = "behandlad"
period = "period"
[[outcomes]]
metric = "poang"
kind = "value"
column = "poang"
"""


def comparison_from_the_clusters(report: dict[str, Any]) -> int | None:
    """The persons a did's standard error is clustered on, less the treated."""
    clusters = report["effect"]["method_params"].get("clusters")
    return None if clusters is None else int(clusters - report["effect"]["n_treated"])


def test_the_clusters_of_a_did_do_not_give_away_a_hidden_group_size(tmp_path: Path) -> None:
    # 20 treated and 4 comparison persons, half of each before and half after: before,
    # "24 clusters" less the 20 treated gave the 4
    rng = np.random.default_rng(6)
    rows = [{"id": f"p{i}", "behandlad": int(i < 20), "period": i % 2, "poang": rng.normal(5, 1)}
            for i in range(24)]  # fmt: skip
    report = evaluate(tmp_path, pd.DataFrame(rows), "--metric", "poang", "--method", "did",
                      mapping=DID)  # fmt: skip
    e = report["effect"]
    assert (e["n_treated"], e["n_control"]) == (20, None)
    assert comparison_from_the_clusters(report) is None
    assert e["method"] is None or "24" not in e["method"]  # the engine's label said it too


# ------------------------------------------------------------------- the rows read


def from_the_rows_read(report: dict[str, Any]) -> int | None:
    """The rows read less every published count of what became of them — the persons in
    the published table, those the policies excluded — is the one shown as "< 5" or
    hidden by the table."""
    rows, total = report["quality"]["rows_read"], report["published"]["total"]
    if rows is None:
        return None
    if total is None:
        total = group_total(report, "treated")
    excluded = [v for k, v in report["policies"].items() if k.startswith("excluded_")]
    if total is None:
        return None
    return int(rows - total - sum(v for v in excluded if isinstance(v, int)))


def rct(comparison: int, missing: int = 0) -> pd.DataFrame:
    """30 treated, half achieving it; the comparison persons, a third achieving it, and
    ``missing`` more without an outcome."""
    y = [1.0, 0.0] * 15 + [1.0, 0.0, 0.0] * (comparison // 3) + [1.0] * (comparison % 3)
    return pd.DataFrame({"behandlad": [1] * 30 + [0] * (comparison + missing),
                         "utfall": y + [None] * missing})  # fmt: skip


def not_matched(unmatched: int) -> pd.DataFrame:
    """30 treated, 30 comparison persons like them and ``unmatched`` unlike anyone."""
    rng = np.random.default_rng(7)
    rows = [(int(i < 30), rng.normal(0, 1), i % 2) for i in range(60)]
    rows += [(0, 9.0 + i, 1) for i in range(unmatched)]
    return pd.DataFrame(rows, columns=["behandlad", "x", "utfall"])


RCT = ["--treatment", "behandlad", "--outcome", "utfall", "--method", "rct"]


@pytest.mark.parametrize(
    ("frame", "args", "small"),
    [
        (rct(30, missing=3), RCT, "< 5"),
        (rct(4), RCT, 0),
        (not_matched(3), [*RCT[:-1], "psm", "--covariates", "x"], 0),
    ],
    ids=["three_outcomes_missing", "four_in_the_comparison_group", "three_not_matched"],
)
def test_the_rows_read_do_not_give_away_a_small_count(
    tmp_path: Path, frame: pd.DataFrame, args: list[str], small: object
) -> None:
    # before: 63 rows read − 60 in the table = the 3 comparison persons without an outcome
    # (published as "< 5"); 34 − 30 treated = the comparison group of 4, hidden by the
    # table; 63 − 60 matched = the 3 comparison persons not matched
    report = evaluate(tmp_path, frame, *args)
    assert report["policies"]["excluded_missing_outcome_comparison"] == small
    assert from_the_rows_read(report) is None


# ------------------------------------------------------------- a count outcome's events

COUNT_CONTRACT = """\
format_version = 1
id = "domar"
currency = "SEK"
start = 2027-01-01
period = "year"
term_periods = 3

[[parties]]
id = "kommun"
role = "commissioner"

[[parties]]
id = "utforare"
role = "provider"

[[cohorts]]
id = "a"
start_period = 1
size = 30

[[cohorts]]
id = "b"
start_period = 1
size = 30

[[metrics]]
id = "domar"
definition = "Convictions within a year of release."
kind = "count"
unit = "event"
direction = "decrease"
counterfactual = "randomised"
expected = 0.9
baseline = 1.1

[[rules]]
id = "farre"
kind = "threshold"
metric = "domar"
measure = "relative_reduction"
scope = "cohort"
threshold = 0.0
amount = 10
"""


def excess_of_the_two_or_more(events: float | None, cells: list[int | None]) -> int | None:
    """A mean times its number of persons is their events; less one for each person with
    one and two for each with two or more, it is what those with more than two had beyond
    two: 1 says that exactly one person had three."""
    if events is None or cells[1] is None or cells[2] is None:
        return None
    return round(events) - cells[1] - 2 * cells[2]


def excesses(report: dict[str, Any]) -> dict[str, int | None]:
    """The excess the reader works out for the treated and the comparison group over all
    cohorts (the means times the group sizes) and for each cohort's treated (the measured
    mean times the cohort's number of treated)."""
    e, table = report["effect"], report["published"]
    out: dict[str, int | None] = {}
    for group, mean, n in (("treated", e["treated_mean"], e["n_treated"]),
                           ("comparison", e["counterfactual_mean"], e["n_control"])):  # fmt: skip
        events = None if mean is None or n is None else mean * n
        out[group] = excess_of_the_two_or_more(events, table["group_totals"][group]["cells"])
    index = {(r["cohort"], r["group"]): i for i, r in enumerate(table["rows"])}
    for m in (report.get("measurements") or {"rows": []})["rows"]:
        events = None if m["treated"] is None else m["treated"] * m["n_treated"]
        cells = table["cells"][index[(m["cohort"], "treated")]]
        out[m["cohort"]] = excess_of_the_two_or_more(events, cells)
    return out


def convictions(cohort_two_or_more: dict[str, list[int]]) -> pd.DataFrame:
    """Per cohort 30 treated — ten with no conviction, ten with one, and the given ten —
    and 30 comparison persons, many with three or more."""
    rows = []
    for cohort, two_or_more in cohort_two_or_more.items():
        for y in [0] * 10 + [1] * 10 + two_or_more:
            rows.append({"behandlad": 1, "kohort": cohort, "domar": y})
        for y in [0] * 8 + [1] * 10 + [2] * 5 + [3, 3, 4, 4, 5, 6, 8]:
            rows.append({"behandlad": 0, "kohort": cohort, "domar": y})
    return pd.DataFrame(rows)


COUNT = ["--treatment", "behandlad", "--outcome", "domar", "--method", "rct",
         "--outcome-kind", "count"]  # fmt: skip


def test_the_means_of_a_count_do_not_say_that_one_person_had_three_events(
    tmp_path: Path,
) -> None:
    # before: the treated mean 1.033 × 30 treated = 31 events; less the 10 with one and
    # twice the 10 with two or more, 1: exactly one person had three events
    report = evaluate(tmp_path, convictions({"a": [2] * 9 + [3]}), *COUNT)
    assert group_total(report, "treated") == 30  # the table is published whole
    assert excesses(report)["treated"] is None
    assert report["effect"]["rate_ratio"] is None  # with the estimate, it gives both means


def test_the_means_of_a_count_say_nothing_of_a_cohorts_one_person_with_three(
    tmp_path: Path,
) -> None:
    # before: cohort b's measured mean 1.033 × its 30 treated = 31: one of b's had three;
    # and the means over both cohorts gave 61 events, again one with three
    (tmp_path / "c.toml").write_text(COUNT_CONTRACT, encoding="utf-8")
    frame = convictions({"a": [2] * 10, "b": [2] * 9 + [3]})
    report = evaluate(tmp_path, frame, *COUNT, "--cohort", "kohort", "--contract",
                      str(tmp_path / "c.toml"), "--metric", "domar")  # fmt: skip
    found = excesses(report)
    assert 1 not in found.values(), found
    assert [r["n_treated"] for r in report["measurements"]["rows"]] == [30, 30]


def test_the_means_of_a_count_are_published_when_its_events_single_no_one_out(
    tmp_path: Path,
) -> None:
    # 33 events: one with five, or one with four and one with three, or three with three
    report = evaluate(tmp_path, convictions({"a": [2] * 9 + [5]}), *COUNT)
    assert excesses(report)["treated"] == 3
    assert report["effect"]["rate_ratio"] is not None


# ------------------------------------------------------------- the data-quality counts


def quality_mapping(covariate: str | None = None, eligibility: str = "") -> str:
    """A mapping with an identifier, the treatment, the outcome ``utfall`` and, if given,
    a covariate and eligibility rules (TOML)."""
    text = ('format_version = 1\n[identifier]\ncolumn = "id"\nkind = "other"\nkey_env = "KEY"\n'
            '[columns]\ntreatment = "behandlad"\n'
            '[[outcomes]]\nmetric = "utfall"\nkind = "value"\ncolumn = "utfall"\n')  # fmt: skip
    if covariate is not None:
        text += f'[[covariates]]\ncolumn = "{covariate}"\n'
    return text + eligibility


def exact(value: object) -> int | None:
    """A published count as a number, or None where it is "< 5" or hidden."""
    return value if isinstance(value, int) else None


def comparison_without_an_outcome(report: dict[str, Any]) -> int | None:
    """With no row ineligible and no covariate, the outcome column's missing values are
    the treated and comparison persons the policies counted: less the treated, the
    comparison persons without an outcome."""
    q, p = report["quality"], report["policies"]
    missing, treated = exact(q["missing"].get("utfall")), exact(p["imputed_worst_case_treated"])
    if q["ineligible"] != 0 or missing is None or treated is None:
        return None
    return missing - treated


def test_the_missing_outcomes_do_not_give_away_the_comparison_persons_without_one(
    tmp_path: Path,
) -> None:
    # 30 treated (5 without an outcome, counted as not achieving it) and 32 comparison
    # persons (2 without one, excluded, shown as "< 5"). Before: 7 missing less 5 = 2
    frame = pd.DataFrame({"id": [f"p{i}" for i in range(62)], "behandlad": [1] * 30 + [0] * 32,
                          "utfall": [None] * 5 + [1.0, 0.0] * 12 + [1.0] + [1.0, 0.0, 0.0] * 10
                          + [None, None]})  # fmt: skip
    report = evaluate(tmp_path, frame, "--metric", "utfall", "--method", "rct",
                      mapping=quality_mapping())  # fmt: skip
    assert report["policies"]["excluded_missing_outcome_comparison"] == "< 5"
    assert report["policies"]["imputed_worst_case_treated"] == 5  # the policies' counts stay
    assert comparison_without_an_outcome(report) is None


def comparison_without_the_covariate(report: dict[str, Any]) -> int | None:
    """With no row ineligible and the treated's outcomes imputed, the covariate's missing
    values less the treated the policies excluded (those without it) are the comparison
    persons excluded for want of it — a count the report does not publish."""
    left_out, q = report["left_out"], report["quality"]
    missing = exact(q["missing"].get("x"))
    if left_out is None or q["ineligible"] != 0 or missing is None:
        return None
    excluded = exact(left_out["excluded_by_policies"])
    return None if excluded is None else missing - excluded


def test_a_covariates_missing_values_do_not_give_away_the_comparison_persons_without_it(
    tmp_path: Path,
) -> None:
    # 40 treated (6 without x) and 80 comparison persons (2 without x). Before: 8 missing
    # less the 6 treated excluded by the policies = 2 comparison persons without x
    rng = np.random.default_rng(5)
    rows = [{"id": f"p{i}", "behandlad": int(i < 40),
             "x": None if i < 6 or i >= 118 else rng.normal(0.2 if i < 40 else 0.0, 1),
             "utfall": int(rng.random() < 0.45)} for i in range(120)]  # fmt: skip
    report = evaluate(tmp_path, pd.DataFrame(rows), "--metric", "utfall", "--method", "psm",
                      mapping=quality_mapping("x"))  # fmt: skip
    assert report["left_out"]["excluded_by_policies"] == 6  # the treated left out, shown
    assert comparison_without_the_covariate(report) is None


def ineligible_with_the_column(report: dict[str, Any]) -> int | None:
    """A row without an eligibility rule's column is ineligible: the ineligible less the
    rows missing it are those that had it and failed the rule."""
    q = report["quality"]
    missing, ineligible = exact(q["missing"].get("z")), exact(q["ineligible"])
    return None if missing is None or ineligible is None else ineligible - missing


def test_an_eligibility_columns_missing_values_do_not_give_away_the_few_that_failed_it(
    tmp_path: Path,
) -> None:
    # 6 rows without z and 2 with z below 10: before, 8 ineligible less 6 missing z = the
    # 2 persons whose z was below 10
    rng = np.random.default_rng(6)
    rows = [{"id": f"p{i}", "behandlad": i % 2,
             "z": None if i < 6 else (5.0 if i < 8 else float(rng.integers(10, 20))),
             "utfall": int(rng.random() < 0.5)} for i in range(128)]  # fmt: skip
    rule = '[[eligibility]]\ncolumn = "z"\nop = ">="\nvalue = 10\n'
    report = evaluate(tmp_path, pd.DataFrame(rows), "--metric", "utfall", "--method", "psm",
                      mapping=quality_mapping("z", rule))  # fmt: skip
    assert report["quality"]["ineligible"] == 8
    assert ineligible_with_the_column(report) is None


ROOT = Path(__file__).resolve().parents[2]
HEMMASITTARE = [str(ROOT / "examples" / "data" / "hemmasittare_participants.csv"),
                "--contract", str(ROOT / "examples" / "hemmasittare.toml"),
                "--mapping", str(ROOT / "examples" / "hemmasittare.mapping.toml"),
                "--metric", "back_in_school"]  # fmt: skip


def with_gaps(tmp_path: Path) -> str:
    """The example's data with gaps: every 40th pupil's sex missing (a covariate, so the
    row is excluded) and every 30th attending more days than scheduled (no share)."""
    lines = Path(HEMMASITTARE[0]).read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("personnummer"))
    names = lines[header].split(",")
    for i in range(header + 1, len(lines)):
        fields = lines[i].split(",")
        if i % 40 == 0:
            fields[names.index("kon")] = ""
        if i % 30 == 0 and fields[names.index("skoldagar")]:
            fields[names.index("narvarodagar")] = str(int(fields[names.index("skoldagar")]) + 3)
        lines[i] = ",".join(fields)
    (tmp_path / "gaps.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(tmp_path / "gaps.csv")


@pytest.mark.parametrize(
    "args",
    [HEMMASITTARE, [*HEMMASITTARE, "--caliper", "0.01"], [*HEMMASITTARE, "--method", "rct"],
     ["gaps", *HEMMASITTARE[1:]], ["gaps", *HEMMASITTARE[1:], "--method", "rct"]],
    ids=["example", "caliper", "rct", "gaps", "gaps_rct"],
)  # fmt: skip
def test_the_readers_relations_between_the_quality_counts_hold_for_the_example(
    args: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a relation the data broke would make the check's reader sure of what is not so
    from effekt.services import evaluate as service
    from effekt.services.quality_counts import hidden_quality_counts, relations_the_data_breaks

    if args[0] == "gaps":
        args = [with_gaps(tmp_path), *args[1:]]
    seen = []

    def checked(facts: Any) -> list[str]:
        seen.append(relations_the_data_breaks(facts))
        return hidden_quality_counts(facts)

    monkeypatch.setattr(service, "hidden_quality_counts", checked)
    result = CliRunner().invoke(
        main, ["evaluate", *args, "--json"], env={"EFFEKT_PSEUDONYM_KEY": ""}
    )
    assert result.exit_code == 0, result.output
    assert seen == [0]
    out = json.loads(result.stdout)
    assert out["publication"]["quality_hidden"] == []  # nothing small follows here
    if "gaps" in str(args[0]):  # the gaps are there to be related
        assert out["quality"]["missing"]["kon"]["count"] > 0
        assert out["quality"]["out_of_range"]["narvarodagar/skoldagar"]["count"] > 0
