"""Use case: read and check a portfolio file (an outcomes fund) with the contracts it lists.

Beyond the file's structure (:class:`~effekt.contract.portfolio.Portfolio`), a fund is
checked as a whole, every problem at once, each at its line: every contract it lists is
read and checked (a broken one brings its own problems, with its own file and lines); ids
in the fund are unique; every contract is in the fund's currency (its figures add their
flows); and every shock loading names a contract of the fund and one of
that contract's uncertain inputs — a distribution's ``id``, or the path of an input with a
distribution — with a loading between −1 and 1. A loading that names nothing would move
nothing, so it is an error, not a silent no-op. ``effekt check`` and ``effekt simulate``
read portfolios through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from effekt.contract.load import (
    Document,
    check_document,
    problems_from_validation,
    read_document,
)
from effekt.contract.model import Contract
from effekt.contract.portfolio import Portfolio
from effekt.contract.problems import Problem
from effekt.engine.sampling import sampling_plan
from effekt.errors import ContractInvalid, InputError
from effekt.services.contract_check import check_contract

__all__ = ["PortfolioCheck", "check_portfolio", "load_fund"]


@dataclass
class PortfolioCheck:
    """What checking a portfolio file found: the fund (None if it has errors), the
    contracts by their id in the fund, and every problem."""

    portfolio: Portfolio | None
    contracts: dict[str, Contract] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")


def check_portfolio(doc: Document, lang: str = "en", *, warnings: bool = True) -> PortfolioCheck:
    """Check a parsed portfolio file and the contracts it lists (paths relative to it), each
    as ``effekt check`` would: its warnings are the fund's too. Without ``warnings`` only
    what stops a run is looked for (the engine's power warnings are not computed)."""
    if not isinstance(doc.data, dict):
        return PortfolioCheck(None, problems=[doc.problem((), "contract.not_a_table")])
    try:
        portfolio = Portfolio.model_validate(doc.data)
    except ValidationError as exc:
        return PortfolioCheck(None, problems=problems_from_validation(exc, doc, Portfolio))
    found = PortfolioCheck(portfolio)
    _contracts(doc, portfolio, found, lang, warnings)
    _loadings(doc, portfolio, found)
    found.problems.sort(key=lambda p: (p.file != doc.file, p.file or "", p.line or 0, p.path))
    if found.errors:
        found.portfolio = None
    return found


def load_fund(doc: Document) -> tuple[Portfolio, list[Contract]]:
    """A parsed portfolio file, checked, and its contracts in the fund's order;
    ContractInvalid (code ``portfolio.invalid``) listing every problem if it has errors."""
    found = check_portfolio(doc, warnings=False)
    if found.portfolio is None:
        raise ContractInvalid(found.problems, file=doc.file, code="portfolio.invalid")
    return found.portfolio, list(found.contracts.values())


def _contracts(
    doc: Document, portfolio: Portfolio, found: PortfolioCheck, lang: str, warnings: bool
) -> None:
    base = Path(doc.file).parent
    check = check_contract if warnings else lambda d, _lang: check_document(d)
    for i, entry in enumerate(portfolio.contracts):
        where = ("contracts", i, "path")
        path = base / entry.path
        try:
            contract, problems = check(read_document(path), lang)
        except ContractInvalid as exc:  # not even parsed
            contract, problems = None, list(exc.problems)
        except InputError as exc:  # not found, unreadable, not a contract format
            because = (exc.code, dict(exc.params))
            found.problems.append(
                doc.problem(where, "portfolio.contract_unusable", because=because)
            )
            continue
        if contract is None:
            count = sum(1 for p in problems if p.severity == "error")
            found.problems.append(
                doc.problem(where, "portfolio.contract_invalid", file=entry.path, count=count)
            )
        found.problems.extend(problems)  # the contract's own, with its own file and lines
        if contract is None:
            continue
        contract = contract.read_from(path.resolve().parent)
        fund_id = entry.id or contract.id
        if fund_id in found.contracts:
            found.problems.append(
                doc.problem(("contracts", i), "portfolio.duplicate_id", id=fund_id)
            )
            continue
        first_id, first = next(iter(found.contracts.items()), (fund_id, contract))
        if contract.currency != first.currency:  # the fund's figures add their flows
            found.problems.append(
                doc.problem(
                    ("contracts", i),
                    "portfolio.mixed_currencies",
                    id=fund_id,
                    currency=contract.currency,
                    first_id=first_id,
                    first_currency=first.currency,
                )
            )
        found.contracts[fund_id] = contract


def _loadings(doc: Document, portfolio: Portfolio, found: PortfolioCheck) -> None:
    inputs: dict[str, list[str]] = {}
    squares: dict[str, float] = {}
    for s, shock in enumerate(portfolio.shocks):
        for key, loading in shock.loadings.items():
            where = ("shocks", s, "loadings", key)
            contract_id, colon, name = key.partition(":")
            if not (colon and contract_id and name):
                found.problems.append(doc.problem(where, "portfolio.loading_key", key=key))
                continue
            contract = found.contracts.get(contract_id)
            if contract is None:
                known = ", ".join(found.contracts) or "—"
                found.problems.append(
                    doc.problem(where, "portfolio.unknown_contract", key=key, known=known)
                )
                continue
            names = inputs.setdefault(contract_id, sampling_plan(contract).names)
            if name not in names:
                found.problems.append(
                    doc.problem(
                        where,
                        "portfolio.unknown_input",
                        key=key,
                        contract=contract_id,
                        known=", ".join(names) or "—",
                    )
                )
                continue
            if not -1.0 <= loading <= 1.0:
                found.problems.append(
                    doc.problem(where, "portfolio.loading_range", key=key, value=float(loading))
                )
                continue
            squares[key] = squares.get(key, 0.0) + loading**2
    for key, total in squares.items():
        if total > 1.0 + 1e-12:
            found.problems.append(
                doc.problem(
                    ("shocks",), "portfolio.loadings_over_one", "warning", key=key, total=total
                )
            )
