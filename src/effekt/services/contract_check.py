"""Use case: check a contract file as ``effekt check`` does — its structure and rules, then
the references to reference data (unit-cost rows, the parties' actors), and the warnings
that need the engine: thresholds a cohort this size cannot detect, and rules
paying for avoided events without a counterfactual. A fund's contracts are checked the same
way (:mod:`effekt.services.portfolio`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from effekt.contract.load import Document, check_document
from effekt.contract.model import Contract
from effekt.contract.problems import Problem

__all__ = ["check_contract"]


def check_contract(
    doc: Document, lang: str = "en", unit_cost_dirs: Sequence[Path] = ()
) -> tuple[Contract | None, list[Problem]]:
    """The contract in ``doc`` (None if it has errors) and every problem, warnings included;
    unit-cost ids are looked up beside the contract, then in ``unit_cost_dirs``."""
    from effekt.services.actor_check import contract_actor_problems
    from effekt.services.design_power import power_warnings
    from effekt.services.evaluation_checks import avoided_events_without_counterfactual
    from effekt.services.unit_cost_check import unit_cost_problems

    contract, problems = check_document(doc)
    if contract is not None:
        references = [
            *contract_actor_problems(contract, doc),
            *unit_cost_problems(contract, doc, unit_cost_dirs),
        ]
        problems = [
            *problems,
            *references,
            *power_warnings(contract, doc, lang),
            *avoided_events_without_counterfactual(contract, doc),
        ]
        if references:
            contract = None
    return contract, problems
