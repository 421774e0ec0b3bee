"""How the deal is financed: tranches, guarantees, grants, deferred fees, and fees."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from effekt.contract.base import Id, Money, Period, Rate, Share, Strict

__all__ = [
    "DeferredFee",
    "ExcessSharing",
    "Fee",
    "Financing",
    "Grant",
    "Guarantee",
    "Tranche",
]


class Tranche(Strict):
    """Capital from one investor at one seniority."""

    id: Id | None = Field(None, description="Id for guarantees (default: the investor's id).")
    investor: str = Field(description="Party id of the investor.")
    seniority: Literal["senior", "junior"] = Field(
        "senior", description="Senior is repaid first; junior takes the first loss."
    )
    commitment: Money = Field(description="Capital committed.")
    return_cap: Rate | None = Field(
        None, description="The most this tranche earns per year; the excess is shared."
    )


class ExcessSharing(Strict):
    """Where money above the investors' capped return goes."""

    payers: Share = Field(1, description="Share returned to the outcome payers.")
    provider: Share = Field(0, description="Share paid to the provider as a bonus.")


class Guarantee(Strict):
    """A promise to cover part of the investors' capital if outcomes fall short."""

    guarantor: str = Field(description="Party id of the guarantor.")
    tranche: str | None = Field(None, description="Tranche id covered (default: all tranches).")
    share_of_capital: Share = Field(description="Share of the drawn capital guaranteed.")
    cap: Money | None = Field(None, description="The most the guarantee pays.")


class Grant(Strict):
    """Money given without expectation of return."""

    funder: str = Field(description="Party id of the grant funder.")
    amount: Money = Field(description="Amount of the grant.")
    period: Period = Field(1, description="Period the grant is paid in (delivery grants).")
    purpose: Literal["delivery", "first_loss", "outcome_top_up"] = Field(
        "delivery",
        description=(
            "delivery: funds the service; first_loss: covers investor losses first; "
            "outcome_top_up: adds to outcome payments."
        ),
    )


class DeferredFee(Strict):
    """Part of the provider's fee is paid only out of outcome payments."""

    share: Share = Field(description="Share of the provider's service fee deferred.")


class Financing(Strict):
    """The capital structure of the deal."""

    tranches: list[Tranche] = Field(default_factory=list, description="Investor tranches.")
    drawdown: Literal["as_needed", "upfront"] = Field(
        "as_needed", description="Draw capital as costs fall due, or all in the first period."
    )
    recycle_outcome_payments: bool = Field(
        True, description="Use outcome payments to fund delivery before drawing more capital."
    )
    distribution: Literal["when_received", "at_end"] = Field(
        "when_received",
        description="Pay investors as outcome payments arrive, or at the end of the term.",
    )
    excess_sharing: ExcessSharing = Field(
        default_factory=ExcessSharing, description="Where returns above the caps go."
    )
    guarantees: list[Guarantee] = Field(default_factory=list, description="Guarantees of capital.")
    grants: list[Grant] = Field(default_factory=list, description="Grants.")
    deferred_fee: DeferredFee | None = Field(None, description="Deferred provider fee.")


class Fee(Strict):
    """A fee paid out of the deal to an intermediary, evaluator or other party."""

    party: str = Field(description="Party id of who is paid.")
    kind: Literal["management", "evaluation", "other"] = Field(description="What the fee is for.")
    per_period: Money = Field(0, description="Paid each period from from_period to to_period.")
    upfront: Money = Field(0, description="Paid once in from_period.")
    share_of_outcome_payments: Share = Field(
        0, description="Share of each outcome payment, paid as it arrives."
    )
    from_period: Period = Field(1, description="First period of the fee.")
    to_period: Period | None = Field(None, description="Last period of the fee (default: term).")
    paid_by: Literal["deal"] | str = Field(
        "deal", description="deal: out of the investors' capital; or a party id that pays directly."
    )
