"""The model matrix is built as R's model formulas build it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from effekt.engine.evaluation.design import model_matrix
from effekt.errors import DataError


def test_columns_and_squares_are_named_and_ordered_like_r_formula_terms() -> None:
    df = pd.DataFrame({"age": [20, 30], "educ": [9, 12], "re74": [0.0, 1.5]})
    mm = model_matrix(df, ["age", "educ", "re74"], squared=["age", "re74"])
    # R: colnames(model.matrix(~ age + I(age^2) + educ + re74 + I(re74^2)))
    assert mm.names == ("(Intercept)", "age", "I(age^2)", "educ", "re74", "I(re74^2)")
    assert mm.values.tolist() == [[1, 20, 400, 9, 0, 0], [1, 30, 900, 12, 1.5, 2.25]]


def test_string_column_becomes_treatment_contrasts_dropping_the_first_sorted_level() -> None:
    df = pd.DataFrame({"group": ["c", "a", "b", "c"]})
    mm = model_matrix(df, ["group"])
    assert mm.names == ("(Intercept)", "groupb", "groupc")
    np.testing.assert_array_equal(mm.column("groupb"), [0, 0, 1, 0])
    np.testing.assert_array_equal(mm.column("groupc"), [1, 0, 0, 1])


def test_categorical_column_keeps_its_declared_level_order_as_r_factor_levels() -> None:
    group = pd.Categorical(["low", "high", "mid"], categories=["mid", "low", "high"])
    mm = model_matrix(pd.DataFrame({"g": group}), ["g"], intercept=False)
    assert mm.names == ("glow", "ghigh")
    assert mm.values.tolist() == [[1, 0], [0, 1], [0, 0]]


def test_boolean_column_is_named_like_an_r_logical() -> None:
    mm = model_matrix(pd.DataFrame({"u74": [True, False]}), ["u74"])
    assert mm.names == ("(Intercept)", "u74TRUE")
    assert mm.column("u74TRUE").tolist() == [1.0, 0.0]


def test_missing_values_are_refused_with_column_and_count() -> None:
    df = pd.DataFrame({"age": [20.0, None, None]})
    with pytest.raises(DataError) as info:
        model_matrix(df, ["age"])
    assert info.value.code == "evaluation.missing_values"
    assert info.value.params == {"column": "age", "count": 2}


def test_unknown_column_is_refused() -> None:
    with pytest.raises(DataError) as info:
        model_matrix(pd.DataFrame({"age": [1]}), ["agee"])
    assert info.value.code == "evaluation.unknown_column"


def test_square_of_a_column_not_in_the_model_is_refused() -> None:
    with pytest.raises(DataError) as info:
        model_matrix(pd.DataFrame({"age": [1], "educ": [2]}), ["age"], squared=["educ"])
    assert info.value.code == "evaluation.bad_option"


def test_error_messages_exist_in_swedish_and_english() -> None:
    err = DataError("evaluation.missing_values", column="age", count=2)
    assert "age" in err.render("en") and "2" in err.render("en")
    assert "saknade" in err.render("sv")


def test_every_column_has_a_label_people_can_read() -> None:
    df = pd.DataFrame(
        {"age": [20.0, 30.0, 40.0], "kon": ["flicka", "pojke", "pojke"], "u74": [True, False, True]}
    )
    mm = model_matrix(df, ["age", "kon", "u74"], squared=["age"])
    assert mm.names == ("(Intercept)", "age", "I(age^2)", "konpojke", "u74TRUE")  # R's names
    assert mm.labels == ("(Intercept)", "age", "age²", "kon: pojke", "u74")
    assert mm.label("konpojke") == "kon: pojke"
