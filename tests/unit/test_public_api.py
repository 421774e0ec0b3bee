"""The public API is exactly what effekt exports, sorted; and settings are checked once."""

from __future__ import annotations

import pytest

import effekt
from effekt.errors import ConfigurationError
from effekt.settings import SETTINGS, load_settings


def test_public_api_is_pinned_and_sorted() -> None:
    assert effekt.__all__ == sorted(effekt.__all__)
    assert effekt.__all__ == [
        "CashFlows",
        "ComputationError",
        "ConfigurationError",
        "Contract",
        "ContractInvalid",
        "DataError",
        "EffektError",
        "InputError",
        "NoSolution",
        "OutcomesFile",
        "OutputError",
        "Portfolio",
        "Problem",
        "ReferenceDataError",
        "Settings",
        "UsageError",
        "business_case",
        "business_case_json",
        "cash_flows",
        "check_document",
        "expected_inputs",
        "load_contract",
        "load_outcomes",
        "load_portfolio",
        "load_settings",
        "read_document",
        "settle_json",
        "solve",
    ]
    for name in effekt.__all__:
        assert getattr(effekt, name) is not None


def test_every_error_has_a_code_and_an_exit_code() -> None:
    for name in effekt.__all__:
        obj = getattr(effekt, name)
        if isinstance(obj, type) and issubclass(obj, effekt.EffektError):
            assert obj.exit_code in (1, 2)
            assert obj.default_code


def test_settings_come_from_the_environment_with_defaults() -> None:
    s = load_settings({"EFFEKT_LANG": "sv", "EFFEKT_WORKERS": "2"})
    assert s.lang == "sv" and s.workers == 2 and s.dask_timeout == 30.0
    assert s.unit_cost_dirs() == ()
    assert load_settings({"LANG": "sv_SE.UTF-8"}).lang == "sv"
    assert load_settings({}).lang in ("sv", "en")
    assert {st.name for st in SETTINGS} == {"lang", "unit_cost_dir", "workers", "dask_timeout"}


@pytest.mark.parametrize(
    "env",
    [
        {"EFFEKT_LANG": "de"},
        {"EFFEKT_WORKERS": "zero"},
        {"EFFEKT_WORKERS": "0"},
        {"EFFEKT_DASK_TIMEOUT": "0"},
        {"EFFEKT_DASK_TIMEOUT": "soon"},
        {"EFFEKT_DASK_TIMEOUT": "inf"},
        {"EFFEKT_UNIT_COST_DIR": "/no/such/folder"},
    ],
)
def test_bad_settings_are_refused_with_a_configuration_error(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        load_settings(env)
