"""The analysis plan: what a mapping lacks is said as such, not as a missing option."""

from __future__ import annotations

import pytest

from effekt.errors import UsageError
from effekt.evaluation_io.mapping import Mapping
from effekt.services.evaluation_plan import make_plan

OUTCOME = {"metric": "back_in_school", "column": "narvaro"}


@pytest.mark.parametrize(
    ("data", "code", "sv", "en"),
    [
        ({"columns": {"treatment": "grupp"}}, "evaluate.mapping_no_outcomes",
         "Mappningsfilen definierar inget utfall: lägg till en tabell [[outcomes]]",
         "The mapping file defines no outcome: add an [[outcomes]] table"),
        ({"outcomes": [OUTCOME]}, "evaluate.mapping_no_treatment",
         'Mappningsfilen anger ingen kolumn för insats: skriv treatment = "KOLUMN" under [columns]',
         'The mapping file names no treatment column: write treatment = "COLUMN" under [columns]'),
        ({}, "evaluate.mapping_no_treatment_or_outcome",
         "Mappningsfilen anger ingen kolumn för insats och definierar inget utfall",
         "The mapping file names no treatment column and defines no outcome"),
    ],
)  # fmt: skip
def test_a_mapping_without_a_treatment_or_an_outcome_says_what_it_lacks(
    data: dict[str, object], code: str, sv: str, en: str
) -> None:
    with pytest.raises(UsageError) as info:
        make_plan(mapping=Mapping.model_validate(data), metric="back_in_school", method="rct")
    assert info.value.code == code
    assert info.value.render("sv").startswith(sv)
    assert info.value.render("en").startswith(en)
    assert "eller en mappningsfil" not in info.value.render("sv")


def test_options_fill_in_what_the_mapping_lacks() -> None:
    mapping = Mapping.model_validate({"columns": {"treatment": "grupp"}})
    plan = make_plan(mapping=mapping, outcome="narvaro", method="rct")
    assert (plan.treatment, plan.outcome) == ("grupp", "narvaro")


def test_without_a_mapping_the_columns_are_asked_for_as_options() -> None:
    with pytest.raises(UsageError) as info:
        make_plan(treatment="grupp", method="rct")
    assert info.value.code == "evaluate.columns_required"
