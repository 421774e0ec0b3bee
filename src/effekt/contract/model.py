"""The contract: the root of the file format (``format_version = 1``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr

from effekt.contract.base import PERCENTAGE, Rate, Strict
from effekt.contract.delivery import Cohort, Costs, Population
from effekt.contract.evidence import Study
from effekt.contract.financing import Fee, Financing
from effekt.contract.metrics import Metric
from effekt.contract.parties import Party
from effekt.contract.rules import PaymentTerms, Rule

__all__ = [
    "PERIODS_PER_YEAR",
    "Contract",
    "Correlation",
    "Discounting",
    "DiscountStep",
    "Uncertainty",
    "Valuation",
]

#: Periods per year for each period length (the one table the time grid uses).
PERIODS_PER_YEAR: dict[str, int] = {"month": 12, "quarter": 4, "half_year": 2, "year": 1}


class DiscountStep(Strict):
    """From ``from_year`` on, discount at ``rate``."""

    from_year: int = Field(ge=0, description="Years from the start.")
    rate: Annotated[float, PERCENTAGE] = Field(
        ge=0, le=1, description="Annual rate from that year on."
    )


class Discounting(Strict):
    """How future savings are discounted in the valuation."""

    kind: Literal["constant", "declining"] = Field(
        "constant", description="One rate, or a schedule."
    )
    rate: Annotated[float, PERCENTAGE] = Field(
        0.035, ge=0, le=1, description="The constant annual rate (0 for undiscounted)."
    )
    schedule: list[DiscountStep] = Field(
        default_factory=list,
        description="For declining: rates by year, ascending from_year, first at 0.",
    )


class Valuation(Strict):
    """Inputs to the socio-economic valuation (who saves what, and when)."""

    unit_cost_tables: list[str] = Field(
        default_factory=lambda: ["se"],
        description="Built-in tables (se, uk) or paths to CSV files, relative to the contract file.",
    )
    price_year: int = Field(ge=1900, le=2200, description="Price year all amounts are shown in.")
    horizon_years: int = Field(
        10, ge=1, le=80, description="How many years of savings are counted."
    )
    discounting: Discounting = Field(
        default_factory=Discounting, description="Discounting of savings."
    )
    budget_period_years: int = Field(
        4, ge=1, le=10, description="The commissioner's planning horizon (mandatperiod) in years."
    )


class Correlation(Strict):
    """A rank correlation between two uncertain inputs (Gaussian copula)."""

    between: list[str] = Field(
        description="The ids of two distributions.", min_length=2, max_length=2
    )
    rho: float = Field(ge=-1, le=1, description="Correlation coefficient.")


class Uncertainty(Strict):
    """How the Monte Carlo treats uncertainty."""

    person_level: bool = Field(
        False, description="Draw each participant's outcome (binomial) on top of rate uncertainty."
    )
    correlations: list[Correlation] = Field(default_factory=list, description="Correlated inputs.")


class Contract(Strict):
    """A social outcomes contract (SIB) — everything needed to model, value, evaluate and settle it."""

    format_version: Literal[1] = Field(description="Version of this file format; 1.")
    id: str = Field(description="A short id for the contract.", pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str | None = Field(None, description="The contract's name.")
    description: str | None = Field(None, description="What the contract is about.")
    currency: str = Field(
        description="ISO 4217 currency code, e.g. SEK, GBP.", pattern=r"^[A-Z]{3}$"
    )
    start: dt.date = Field(description="First day of period 1.", strict=False)
    period: Literal["month", "quarter", "half_year", "year"] = Field(
        description="Length of a period."
    )
    term_periods: int = Field(ge=1, le=600, description="Number of periods in the term.")
    default_discount_rate: Rate = Field(
        0.035, description="Annual discount rate for parties that give none."
    )
    parties: list[Party] = Field(description="The parties and their roles.", min_length=1)
    population: Population | None = Field(None, description="The target population.")
    cohorts: list[Cohort] = Field(description="Cohorts of participants.", min_length=1)
    costs: Costs = Field(default_factory=Costs, description="The intervention's costs.")
    metrics: list[Metric] = Field(description="Outcome metrics.", min_length=1)
    rules: list[Rule] = Field(description="Payment rules.", min_length=1)
    payment: PaymentTerms = Field(
        default_factory=PaymentTerms, description="Terms shared by all rules."
    )
    financing: Financing = Field(default_factory=Financing, description="The capital structure.")
    fees: list[Fee] = Field(
        default_factory=list, description="Fees to the intermediary, evaluator and others."
    )
    valuation: Valuation | None = Field(None, description="Socio-economic valuation inputs.")
    uncertainty: Uncertainty = Field(
        default_factory=Uncertainty, description="Monte Carlo settings."
    )
    scenarios: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='Named sets of overrides: field path → value, e.g. "metrics[0].expected" = 0.3.',
    )
    evidence: list[Study] = Field(
        default_factory=list,
        description=(
            "The studies behind the intervention, each with its design and what it found; "
            "the förstudie sets the contract's expected effects against them."
        ),
    )
    sources: list[str] = Field(default_factory=list, description="Sources the figures come from.")

    #: The folder of the file the contract was read from (set by ``load_contract``): files
    #: the contract names by a relative path, such as unit-cost tables, are found there
    #: wherever the command runs. Not a term of the contract: not in its file or schema.
    _source_dir: Path | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Contracts are equal when their terms are; where each was read from is not a term."""
        if not isinstance(other, Contract):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = Strict.__hash__

    @property
    def source_dir(self) -> Path | None:
        """The folder of the contract's file, or None for a contract built in code."""
        return self._source_dir

    def read_from(self, folder: Path | None) -> Contract:
        """This contract, marked as read from ``folder`` (returns itself)."""
        self._source_dir = folder
        return self

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.period]

    def party(self, party_id: str) -> Party:
        return next(p for p in self.parties if p.id == party_id)

    def metric(self, metric_id: str) -> Metric:
        return next(m for m in self.metrics if m.id == metric_id)

    def rule_id(self, index: int) -> str:
        rid = self.rules[index].id
        return rid if rid is not None else f"rules[{index}]"

    def payer_shares(self) -> dict[str, float]:
        """Paying parties → share of every outcome payment."""
        from effekt.contract.parties import PAYING_ROLES

        return {
            p.id: float(p.payer_share or 0.0)
            for p in self.parties
            if p.role in PAYING_ROLES and p.payer_share is not None
        }

    def society_discounting(self) -> float | list[tuple[int, float]]:
        """How society's (the valuation's) figures are discounted: the constant rate, or a
        declining schedule as ``(first year, 1-based; rate)`` pairs; without a valuation
        section, ``default_discount_rate``."""
        d = self.valuation.discounting if self.valuation else None
        if d is None:
            return self.default_discount_rate
        if d.kind == "declining":
            return [(s.from_year + 1, s.rate) for s in d.schedule]
        return d.rate

    def period_dates(self) -> list[dt.date]:
        """The first day of each period 1..term (period p starts at index p−1)."""
        months = 12 // self.periods_per_year
        return [_add_months(self.start, p * months) for p in range(self.term_periods)]

    def flow_dates(self) -> list[dt.date]:
        """The day each period's flows fall: the end of the period (the next period's start)."""
        months = 12 // self.periods_per_year
        return [_add_months(self.start, (p + 1) * months) for p in range(self.term_periods)]

    def period_ends(self) -> list[dt.date]:
        """The last day of each period (the day before its flows fall)."""
        return [d - dt.timedelta(days=1) for d in self.flow_dates()]

    def budget_years(self, start_month: int = 1) -> list[str]:
        """The budget year each period's flows are booked in: that of the period's last
        day, for a party whose budget year starts in ``start_month``."""
        return [self.budget_year(d, start_month) for d in self.period_ends()]

    def budget_year(self, date: dt.date, start_month: int = 1) -> str:
        """The budget year a date falls in: "2027" for calendar years, "2027/28" from April."""
        if start_month == 1:
            return str(date.year)
        first = date.year if date.month >= start_month else date.year - 1
        return f"{first}/{(first + 1) % 100:02d}"


def _add_months(d: dt.date, n: int) -> dt.date:
    import calendar

    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))
