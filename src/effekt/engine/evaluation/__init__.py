"""Outcome evaluation: effect estimates against a counterfactual."""

from effekt.engine.evaluation.balance import BalanceRow, BalanceTable, balance_table
from effekt.engine.evaluation.design import ModelMatrix, model_matrix
from effekt.engine.evaluation.matching import (
    MatchedDifference,
    NearestMatch,
    ReplacementMatch,
    common_support,
    match_with_replacement,
    match_without_replacement,
    matched_difference,
)
from effekt.engine.evaluation.propensity import LogitFit, fit_logit, propensity_scores
from effekt.engine.evaluation.rosenbaum import RosenbaumBounds, critical_gamma, rosenbaum_bounds

__all__ = [
    "BalanceRow",
    "BalanceTable",
    "LogitFit",
    "MatchedDifference",
    "ModelMatrix",
    "NearestMatch",
    "ReplacementMatch",
    "RosenbaumBounds",
    "balance_table",
    "common_support",
    "critical_gamma",
    "fit_logit",
    "match_with_replacement",
    "match_without_replacement",
    "matched_difference",
    "model_matrix",
    "propensity_scores",
    "rosenbaum_bounds",
]
