"""recognise_echo: Concord's own writes coming back are echoes; other values inside the window conflict."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.echo import EchoVerdict, recognise_echo
from shared.core.errors import InvalidInput
from shared.core.model import Customer, EntityId, ExternalRef, Money, Surface, System
from shared.core.ports import ExpectedWrite
from shared.core.snapshot import CustomerSnapshot

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)
REF = ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="51")
OTHER_REF = ExternalRef(system=System.HUBSPOT, object_type="contacts", external_id="52")
REPRESENTED = frozenset({"email", "phone", "first_name", "credit_limit"})


def a_write(
    write_id: str = "w1",
    *,
    expected: dict[str, str | None] | None = None,
    at: datetime = T0,
    ref: ExternalRef = REF,
    tag: str = "concord-w1",
    version: str | None = None,
) -> ExpectedWrite:
    return ExpectedWrite(
        write_id=write_id,
        command_id=f"cmd-{write_id}",
        ref=ref,
        entity_id=EntityId("ent_1"),
        expected={"email": "new@example.com"} if expected is None else expected,
        provenance_tag=tag,
        written_at=at,
        resulting_version=version,
    )


def a_snapshot(
    *,
    email: str | None = "new@example.com",
    observed: datetime = T0 + timedelta(seconds=5),
    updated: datetime | None = None,
    version: str | None = "7",
    deleted: bool = False,
    credit: Money | None = None,
) -> CustomerSnapshot:
    return CustomerSnapshot(
        ref=REF,
        represented=REPRESENTED,
        source_version=version,
        source_updated_at=updated,
        observed_at=observed,
        surface=Surface.WEBHOOK,
        deleted=deleted,
        values=Customer(email=email, first_name="Ada", credit_limit=credit),
    )


NOW = T0 + timedelta(seconds=30)


CASES = [
    ("no writes", a_snapshot(), [], None, EchoVerdict.NOT_OURS, ()),
    ("values match", a_snapshot(), [a_write()], None, EchoVerdict.ECHO, ()),
    ("formatting only", a_snapshot(email=" NEW@example.com"), [a_write()], None, EchoVerdict.ECHO, ()),
    ("provenance tag", a_snapshot(email="x@y.z"), [a_write()], "concord-w1", EchoVerdict.ECHO, ()),
    ("resulting version", a_snapshot(email="x@y.z"), [a_write(version="7")], None, EchoVerdict.ECHO, ()),
    ("different value", a_snapshot(email="x@y.z"), [a_write()], None, EchoVerdict.CONFLICT, ("email",)),
    ("foreign tag", a_snapshot(email="x@y.z"), [a_write()], "other", EchoVerdict.CONFLICT, ("email",)),
    ("emptied", a_snapshot(email=None), [a_write()], None, EchoVerdict.CONFLICT, ("email",)),
    (
        "expected empty",
        a_snapshot(email=None),
        [a_write(expected={"email": None})],
        None,
        EchoVerdict.ECHO,
        (),
    ),
    ("deleted", a_snapshot(deleted=True), [a_write()], None, EchoVerdict.CONFLICT, ("email",)),
    (
        "outside window",
        a_snapshot(email="x@y.z"),
        [a_write(at=NOW - WINDOW - timedelta(seconds=1))],
        None,
        EchoVerdict.NOT_OURS,
        (),
    ),
    ("other record", a_snapshot(email="x@y.z"), [a_write(ref=OTHER_REF)], None, EchoVerdict.NOT_OURS, ()),
    (
        "observed before write",
        a_snapshot(email="x@y.z", observed=T0 - timedelta(seconds=1)),
        [a_write()],
        None,
        EchoVerdict.NOT_OURS,
        (),
    ),
    (
        "source update before write",
        a_snapshot(email="x@y.z", updated=T0 - timedelta(seconds=1)),
        [a_write()],
        None,
        EchoVerdict.NOT_OURS,
        (),
    ),
    (
        "unrepresented field only",
        a_snapshot(),
        [a_write(expected={"tax_id": "X"})],
        None,
        EchoVerdict.NOT_OURS,
        (),
    ),
    (
        "money rendered",
        a_snapshot(credit=Money(amount=Decimal("1500"), currency="USD")),
        [a_write(expected={"credit_limit": "1500.00 USD"})],
        None,
        EchoVerdict.ECHO,
        (),
    ),
]


@pytest.mark.parametrize(
    ("snapshot", "writes", "tag", "verdict", "differing"),
    [pytest.param(*row[1:], id=row[0]) for row in CASES],
)
def test_classifies_an_observation_against_recent_writes(
    snapshot: CustomerSnapshot,
    writes: list[ExpectedWrite],
    tag: str | None,
    verdict: EchoVerdict,
    differing: tuple[str, ...],
) -> None:
    result = recognise_echo(snapshot, provenance_tag=tag, recent_writes=writes, now=NOW, echo_window=WINDOW)
    assert (result.verdict, result.differing) == (verdict, differing)
    assert (result.write is None) == (verdict is EchoVerdict.NOT_OURS)


def test_an_echo_of_an_older_write_is_recognised_while_a_newer_one_is_pending() -> None:
    older = a_write("w1", expected={"email": "new@example.com"}, at=T0)
    newer = a_write("w2", expected={"email": "newer@example.com"}, at=T0 + timedelta(seconds=2), tag="t2")
    result = recognise_echo(
        a_snapshot(), provenance_tag=None, recent_writes=[newer, older], now=NOW, echo_window=WINDOW
    )
    assert result.verdict is EchoVerdict.ECHO
    assert result.write == older


def test_a_conflict_names_the_newest_applicable_write() -> None:
    older = a_write("w1", at=T0)
    newer = a_write("w2", at=T0 + timedelta(seconds=2), tag="t2")
    result = recognise_echo(
        a_snapshot(email="x@y.z"),
        provenance_tag=None,
        recent_writes=[older, newer],
        now=NOW,
        echo_window=WINDOW,
    )
    assert result.verdict is EchoVerdict.CONFLICT
    assert result.write == newer


def test_only_the_written_fields_are_compared() -> None:
    write = a_write(expected={"email": "new@example.com", "phone": None})
    snapshot = a_snapshot()  # first_name "Ada" was not written, so it cannot conflict
    result = recognise_echo(snapshot, provenance_tag=None, recent_writes=[write], now=NOW, echo_window=WINDOW)
    assert result.verdict is EchoVerdict.ECHO


def test_rejects_a_naive_now_and_a_negative_window() -> None:
    with pytest.raises(InvalidInput):
        recognise_echo(
            a_snapshot(),
            provenance_tag=None,
            recent_writes=[],
            now=NOW.replace(tzinfo=None),
            echo_window=WINDOW,
        )
    with pytest.raises(InvalidInput):
        recognise_echo(a_snapshot(), provenance_tag=None, recent_writes=[], now=NOW, echo_window=-WINDOW)


emails = st.emails().map(str.lower)


@given(written=emails, observed=emails, seconds_ago=st.integers(min_value=0, max_value=1200))
def test_verdict_follows_value_equality_and_the_window(written: str, observed: str, seconds_ago: int) -> None:
    write = a_write(expected={"email": written}, at=NOW - timedelta(seconds=seconds_ago))
    snapshot = a_snapshot(email=observed, observed=NOW)
    result = recognise_echo(snapshot, provenance_tag=None, recent_writes=[write], now=NOW, echo_window=WINDOW)
    if timedelta(seconds=seconds_ago) > WINDOW:
        assert result.verdict is EchoVerdict.NOT_OURS
    elif written == observed:
        assert result.verdict is EchoVerdict.ECHO
    else:
        assert result.verdict is EchoVerdict.CONFLICT
        assert result.differing == ("email",)


@given(st.permutations(["w1", "w2", "w3"]))
def test_verdict_does_not_depend_on_the_order_of_writes(order: list[str]) -> None:
    writes = {
        "w1": a_write("w1", expected={"email": "a@example.com"}, at=T0, tag="t1"),
        "w2": a_write("w2", expected={"email": "b@example.com"}, at=T0 + timedelta(seconds=1), tag="t2"),
        "w3": a_write("w3", expected={"email": "c@example.com"}, at=T0 + timedelta(seconds=2), tag="t3"),
    }
    result = recognise_echo(
        a_snapshot(email="x@y.z"),
        provenance_tag=None,
        recent_writes=[writes[name] for name in order],
        now=NOW,
        echo_window=WINDOW,
    )
    assert result.verdict is EchoVerdict.CONFLICT
    assert result.write == writes["w3"]
