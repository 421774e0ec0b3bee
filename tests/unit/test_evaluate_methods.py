"""Each evaluation design describes its estimator as a code with parameters (for the report
to translate), and its Rosenbaum status says whether the result was significant at all."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from effekt.services.evaluate_methods import run_baseline, run_did, run_psm, run_rct


def matched_data(effect: float, n: int = 300, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """About a quarter treated, so every treated person finds a close control."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = rng.random(n) < 1 / (1 + np.exp(1.2 - 0.3 * x))
    y = x + effect * t + rng.normal(size=n)
    return pd.DataFrame({"x": x}), np.column_stack([y, t])


@pytest.mark.parametrize(
    ("kind", "code"),
    [("binary", "difference_in_proportions"), ("continuous", "difference_in_means"),
     ("count", "rate_difference_negbin")],
)  # fmt: skip
def test_randomised_design_names_its_estimator_by_code(kind: str, code: str) -> None:
    rng = np.random.default_rng(1)
    t = np.arange(200) % 2 == 0
    y = (
        rng.random(200).round()
        if kind == "binary"
        else rng.poisson(2, 200).astype(float)
        if kind == "count"
        else rng.normal(size=200)
    )
    r = run_rct(y, t, kind, 0.95)  # type: ignore[arg-type]
    assert r.description["code"] == code
    if kind == "count":
        alpha = r.description["params"]["alpha"]
        assert isinstance(alpha, float) and f"ML alpha = {alpha:.3g})" in r.effect.method


def test_baseline_design_says_whether_the_baseline_was_fixed_or_estimated() -> None:
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    treated_only = np.ones(6, dtype=bool)
    assert run_baseline(y, treated_only, "binary", 0.95, 0.4).description["code"] == (
        "baseline_fixed"
    )
    half = np.arange(6) < 3
    assert run_baseline(y, half, "binary", 0.95, None).description["code"] == ("baseline_estimated")


@pytest.mark.parametrize("replace", [False, True])
def test_matching_names_its_estimator_with_the_ratio(replace: bool) -> None:
    frame, yt = matched_data(1.0)
    r = run_psm(frame, yt[:, 0], yt[:, 1] == 1, ["x"], [], "continuous", 0.95, replace=replace)
    params = r.description["params"]
    assert r.description["code"] == f"psm_with{'' if replace else 'out'}_replacement"
    assert params["ratio"] == 1 and (("tolerance" in params) is replace)


def test_difference_in_differences_names_its_clusters_as_the_engine_label_does() -> None:
    rng = np.random.default_rng(2)
    person = np.repeat(np.arange(60), 2).astype(str)
    t = np.repeat(np.arange(60) % 2 == 0, 2)
    post = np.tile([False, True], 60)
    y = rng.normal(size=120) + 0.5 * (t & post)
    clustered = run_did(y, t, post, person, 0.95)
    assert clustered.description == {"code": "did_clustered", "params": {"clusters": 60}}
    assert "60 clusters" in clustered.effect.method
    assert run_did(y, t, post, None, 0.95).description["code"] == "did_robust"


def test_rosenbaum_status_is_not_significant_when_matching_finds_no_effect() -> None:
    frame, yt = matched_data(0.0)
    r = run_psm(frame, yt[:, 0], yt[:, 1] == 1, ["x"], [], "continuous", 0.95)
    sens = r.sensitivity
    assert r.effect.p_value is not None and r.effect.p_value > 0.05
    assert sens is not None
    assert sens["status"] == "not_significant" and sens["critical_gamma"] == 1.0
    assert sens["alpha"] == 0.05


def test_rosenbaum_status_gives_the_critical_gamma_of_a_significant_effect() -> None:
    frame, yt = matched_data(0.6)
    sens = run_psm(frame, yt[:, 0], yt[:, 1] == 1, ["x"], [], "continuous", 0.95).sensitivity
    assert sens is not None
    assert sens["status"] == "significant_up_to" and sens["critical_gamma"] > 1.0


def test_matching_counts_each_value_of_a_categorical_or_0_1_covariate_in_every_group() -> None:
    frame, yt = matched_data(1.0)
    t = yt[:, 1] == 1
    frame["kommun"] = np.where(np.arange(len(frame)) % 3 == 0, "A", "B")
    frame["stod"] = (np.arange(len(frame)) % 4 == 0).astype(int)
    r = run_psm(frame, yt[:, 0], t, ["x", "kommun", "stod"], [], "continuous", 0.95)
    counts = r.details["_balance_counts"]
    assert set(counts) == {"kommunB", "stod"}  # x is measured, not counted
    treated_before, treated_after, comparison_before, comparison_after = counts["kommunB"]
    a = frame["kommun"].to_numpy() == "A"
    assert treated_before == [float((t & a).sum()), float((t & ~a).sum())]  # A, the reference
    assert comparison_before == [float((~t & a).sum()), float((~t & ~a).sum())]
    assert sum(treated_after) == r.n_treated
    assert sum(comparison_after) == pytest.approx(r.n_control_weighted)
