"""effekt — social outcomes contracts (SIBs) from feasibility to settlement.

The public API is what this module exports; ``tests/unit/test_public_api.py`` pins it.
"""

from __future__ import annotations

from effekt.contract.load import check_document, load_contract, load_portfolio, read_document
from effekt.contract.model import Contract
from effekt.contract.outcomes_file import OutcomesFile, load_outcomes
from effekt.contract.portfolio import Portfolio
from effekt.contract.problems import Problem
from effekt.engine.cashflow import CashFlows, cash_flows
from effekt.engine.inputs import expected_inputs
from effekt.errors import (
    ComputationError,
    ConfigurationError,
    ContractInvalid,
    DataError,
    EffektError,
    InputError,
    NoSolution,
    OutputError,
    ReferenceDataError,
    UsageError,
)
from effekt.services.business_case import business_case, business_case_json
from effekt.services.settle import settle_json
from effekt.services.solve import solve
from effekt.settings import Settings, load_settings

__all__ = [
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
