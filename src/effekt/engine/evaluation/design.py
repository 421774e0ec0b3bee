"""A model matrix built the way R's model formulas build one.

``model_matrix(frame, ["age", "educ", "group"], squared=["age"])`` gives the columns R's
``model.matrix(~ age + I(age^2) + educ + group, frame)`` gives, in the same order and
with the same names:

- ``(Intercept)`` first (unless ``intercept=False``);
- numeric columns as they are (booleans as 0/1, named ``xTRUE`` as R names a logical);
- string, categorical or object columns as *treatment contrasts*, R's default for
  ``factor()``: one 0/1 column per level except the first, named column + level
  (``groupb``). Levels are those of a pandas ``Categorical`` in its order, otherwise the
  distinct values sorted (R sorts a character vector's levels; in the C locale this is
  Python's code-point order);
- a squared term right after its column, named like R's ``I(age^2)``.

Missing values are refused rather than silently dropped (R's ``na.omit`` default).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from effekt.errors import DataError
from effekt.i18n import Phrase

__all__ = ["ModelMatrix", "model_matrix"]


@dataclass(frozen=True)
class ModelMatrix:
    """Design matrix ``values`` (n × k, float64), its R-style column ``names`` (``kongirl``,
    ``u74TRUE``, ``I(age^2)``) and the ``labels`` people read (``kon: girl``, ``u74``,
    ``age²``)."""

    values: NDArray[np.float64]
    names: tuple[str, ...]
    labels: tuple[str, ...] = ()

    def label(self, name: str) -> str:
        """The readable label of the column called ``name``."""
        return self.labels[self.names.index(name)] if self.labels else name

    def column(self, name: str) -> NDArray[np.float64]:
        """The column called ``name``."""
        return self.values[:, self.names.index(name)]


def _is_categorical(series: pd.Series) -> bool:
    return bool(
        isinstance(series.dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(series.dtype)
        or pd.api.types.is_object_dtype(series.dtype)
    )


def _levels(series: pd.Series) -> list[object]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    return sorted(series.unique().tolist(), key=str)


def _columns_for(name: str, series: pd.Series) -> list[tuple[str, str, NDArray[np.float64]]]:
    """(R's name, the readable label, the column) for each column ``series`` becomes."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return [(f"{name}TRUE", name, series.to_numpy(dtype=np.float64))]
    if _is_categorical(series):
        values = series.to_numpy(dtype=object)
        return [
            (f"{name}{level}", f"{name}: {level}", (values == level).astype(np.float64))
            for level in _levels(series)[1:]
        ]
    if not pd.api.types.is_numeric_dtype(series.dtype):
        raise DataError("evaluation.not_finite", what=name)
    return [(name, name, series.to_numpy(dtype=np.float64))]


def model_matrix(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    squared: Iterable[str] = (),
    intercept: bool = True,
) -> ModelMatrix:
    """The model matrix of ``frame[columns]``, as R's formulas would build it.

    >>> df = pd.DataFrame({"age": [20.0, 30.0, 40.0], "group": ["a", "b", "c"]})
    >>> mm = model_matrix(df, ["age", "group"], squared=["age"])
    >>> mm.names
    ('(Intercept)', 'age', 'I(age^2)', 'groupb', 'groupc')
    >>> mm.values[1].tolist()
    [1.0, 30.0, 900.0, 1.0, 0.0]
    """
    names_in = list(frame.columns) if columns is None else list(columns)
    square_set = set(squared)
    for name in [*names_in, *square_set]:
        if name not in frame.columns:
            raise DataError("evaluation.unknown_column", column=name)
    for name in sorted(square_set - set(names_in)):
        raise DataError(
            "evaluation.bad_option", name="squared", value=name, allowed="columns in the model"
        )
    out: list[tuple[str, str, NDArray[np.float64]]] = []
    if intercept:
        out.append(("(Intercept)", "(Intercept)", np.ones(len(frame), dtype=np.float64)))
    for name in names_in:
        series = frame[name]
        missing = int(series.isna().sum())
        if missing:
            raise DataError("evaluation.missing_values", column=name, count=missing)
        out.extend(_columns_for(name, series))
        if name in square_set:
            if _is_categorical(series) or pd.api.types.is_bool_dtype(series.dtype):
                raise DataError("evaluation.not_finite", what=f"I({name}^2)")
            out.append((f"I({name}^2)", f"{name}²", series.to_numpy(dtype=np.float64) ** 2))
    values = (
        np.column_stack([v for _, _, v in out])
        if out
        else np.empty((len(frame), 0), dtype=np.float64)
    )
    if not np.all(np.isfinite(values)):
        raise DataError("evaluation.not_finite", what=Phrase("stats.what.model_matrix"))
    return ModelMatrix(
        values=values, names=tuple(n for n, _, _ in out), labels=tuple(lb for _, lb, _ in out)
    )
