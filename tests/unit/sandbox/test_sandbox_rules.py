"""Pure rules of the sandbox: NetSuite TBA verification, q date literals, rate models, Shopify cursors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.sandbox.netsuite_auth import TokenCredentials, TokenVerifier
from services.sandbox.netsuite_query import QueryError, parse_date_literal, parse_query
from services.sandbox.ratelimit import ConcurrencyGate, HubSpotLimiter, ShopifyBucket
from services.sandbox.shopify_paging import Cursor, PagingError, paginate

# Oracle's worked example (PLATFORMS.md A7).
ORACLE = TokenCredentials(
    realm="123456",
    consumer_key="ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
    consumer_secret="d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
    token_id="2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
    token_secret="c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
)
ORACLE_URL = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40"
ORACLE_HEADER = (
    'OAuth realm="123456", oauth_nonce="fjaLirsIcCGVZWzBX0pg", oauth_timestamp="1508242306", '
    'oauth_version="1.0", oauth_signature_method="HMAC-SHA256", '
    f'oauth_consumer_key="{ORACLE.consumer_key}", oauth_token="{ORACLE.token_id}", '
    'oauth_signature="B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D"'
)


def test_oracles_published_tba_example_verifies() -> None:
    verifier = TokenVerifier(ORACLE, wall_clock=lambda: 1508242306.0)

    assert verifier.problem("GET", ORACLE_URL, "", ORACLE_HEADER) is None


@pytest.mark.parametrize(
    ("url", "header", "now"),
    [
        (ORACLE_URL.replace("/40", "/41"), ORACLE_HEADER, 1508242306.0),
        (ORACLE_URL, ORACLE_HEADER.replace('realm="123456"', 'realm="654321"'), 1508242306.0),
        (ORACLE_URL, ORACLE_HEADER, 1508242306.0 + 301),
        (ORACLE_URL, ORACLE_HEADER.replace("HMAC-SHA256", "HMAC-SHA1"), 1508242306.0),
    ],
    ids=["other-path", "other-realm", "stale-timestamp", "sha1"],
)
def test_tba_requests_that_differ_from_what_was_signed_are_refused(url: str, header: str, now: float) -> None:
    assert TokenVerifier(ORACLE, wall_clock=lambda: now).problem("GET", url, "", header) is not None


@pytest.mark.parametrize(
    ("literal", "start", "end"),
    [
        ("6/10/2024", datetime(2024, 6, 10, tzinfo=UTC), datetime(2024, 6, 11, tzinfo=UTC)),
        ("2/14/23", datetime(2023, 2, 14, tzinfo=UTC), datetime(2023, 2, 15, tzinfo=UTC)),
        (
            "6/10/2024 3:58 pm",
            datetime(2024, 6, 10, 15, 58, tzinfo=UTC),
            datetime(2024, 6, 10, 15, 59, tzinfo=UTC),
        ),
        (
            "6/10/2024 12:05 am",
            datetime(2024, 6, 10, 0, 5, tzinfo=UTC),
            datetime(2024, 6, 10, 0, 6, tzinfo=UTC),
        ),
    ],
)
def test_date_literals_cover_their_day_or_minute(literal: str, start: datetime, end: datetime) -> None:
    assert parse_date_literal(literal) == (start, end)


@pytest.mark.parametrize(
    "query", ['lastModifiedDate ON_OR_AFTER "2024-06-10"', "email", 'a IS "x" AND (b IS "y"']
)
def test_invalid_queries_are_refused(query: str) -> None:
    with pytest.raises(QueryError):
        parse_query(query)


def test_and_binds_tighter_than_or_and_references_compare_by_id() -> None:
    matches = parse_query('email IS "a@x.io" OR subsidiary EQUAL 2 AND isInactive IS false')

    assert matches({"email": "A@x.io"})
    assert matches({"email": "b@x.io", "subsidiary": {"id": "2"}, "isInactive": False})
    assert not matches({"email": "b@x.io", "subsidiary": {"id": "2"}, "isInactive": True})


def test_hubspot_burst_window_rolls_and_search_is_counted_apart() -> None:
    now = [0.0]
    limiter = HubSpotLimiter(burst=2, daily=100, search_per_second=1, monotonic=lambda: now[0])

    first, second, third = (limiter.admit(search=False) for _ in range(3))
    search = limiter.admit(search=True)
    now[0] = 10.01

    assert (first.admitted, second.admitted, third.admitted) == (True, True, False)
    assert third.policy == "TEN_SECONDLY_ROLLING"
    assert search.admitted
    assert search.headers == {}
    assert limiter.admit(search=False).admitted


def test_shopify_bucket_leaks_at_its_rate() -> None:
    now = [0.0]
    bucket = ShopifyBucket(size=2, leak_per_second=2.0, monotonic=lambda: now[0])

    outcomes = [bucket.admit().admitted for _ in range(3)]
    now[0] = 0.5

    assert outcomes == [True, True, False]
    assert bucket.admit().headers == {"X-Shopify-Shop-Api-Call-Limit": "2/2"}


def test_concurrency_gate_refuses_the_request_beyond_its_limit() -> None:
    gate = ConcurrencyGate(limit=1)

    assert gate.try_enter()
    assert not gate.try_enter()
    gate.leave()
    assert gate.try_enter()


def test_shopify_cursor_round_trips_and_rejects_garbage() -> None:
    cursor = Cursor({"updated_at_min": "2024-06-10T00:00:00Z"}, "next", (1718000000.0, 42))

    assert Cursor.decode(cursor.encode()) == cursor
    with pytest.raises(PagingError):
        Cursor.decode("garbage!")


def test_shopify_pages_never_repeat_or_skip_records_with_equal_timestamps() -> None:
    stamp = "2024-06-10T08:00:00-04:00"
    records = [{"id": n, "updated_at": stamp} for n in range(1, 8)]
    filters = {"order": "updated_at asc"}
    seen: list[object] = []
    page = paginate(records, filters, None, 3)
    seen += [r["id"] for r in page.records]
    while page.next_cursor is not None:
        page = paginate(records, filters, page.next_cursor, 3)
        seen += [r["id"] for r in page.records]

    assert seen == list(range(1, 8))
