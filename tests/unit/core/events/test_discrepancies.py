from datetime import timedelta

import pytest
from pydantic import ValidationError

from shared.core.events import DiscrepancyChanged, DiscrepancyOpened, DiscrepancyResolved
from tests.unit.core.events.examples import T0, discrepancy_changed, discrepancy_opened, discrepancy_resolved


def test_a_discrepancy_opens_at_revision_one() -> None:
    with pytest.raises(ValidationError, match="revision 1"):
        DiscrepancyOpened.model_validate({**discrepancy_opened().model_dump(), "revision": 2})


@pytest.mark.parametrize("revision", [0, 1])
def test_a_change_comes_after_the_opening(revision: int) -> None:
    with pytest.raises(ValidationError, match="revision"):
        DiscrepancyChanged.model_validate({**discrepancy_changed().model_dump(), "revision": revision})


def test_a_resolution_comes_after_the_opening() -> None:
    with pytest.raises(ValidationError, match="after the opening"):
        DiscrepancyResolved.model_validate({**discrepancy_resolved().model_dump(), "revision": 1})


def test_a_synced_resolution_names_its_command() -> None:
    with pytest.raises(ValidationError, match="names the sync command"):
        DiscrepancyResolved.model_validate({**discrepancy_resolved().model_dump(), "command_id": None})


def test_a_converged_resolution_needs_no_command() -> None:
    resolved = DiscrepancyResolved.model_validate(
        {
            **discrepancy_resolved().model_dump(),
            "resolution": "converged",
            "command_id": None,
            "resolved_by": None,
        }
    )

    assert resolved.resolution == "converged"


def test_a_discrepancy_cannot_resolve_before_it_opened() -> None:
    with pytest.raises(ValidationError, match="before it opened"):
        DiscrepancyResolved.model_validate(
            {**discrepancy_resolved().model_dump(), "resolved_at": T0 - timedelta(seconds=1)}
        )


def test_revisions_of_one_discrepancy_increase_through_its_lifecycle() -> None:
    events = [discrepancy_opened(), discrepancy_changed(), discrepancy_resolved()]

    assert [event.revision for event in events] == [1, 2, 3]
    assert len({event.discrepancy_id for event in events}) == 1
    assert len({event.message_id for event in events}) == 3
