"""Signatures: every published vector of PLATFORMS.md section 6 (A1-A7), then sign/verify properties."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

from shared.core.signatures import (
    CalloutEncoding,
    VerificationFailure,
    decode_hubspot_uri,
    hubspot_v1_signature,
    hubspot_v2_signature,
    hubspot_v3_signature,
    hubspot_v3_timestamp,
    netsuite_callout_signature,
    netsuite_callout_timestamp,
    shopify_query_hmac,
    shopify_webhook_hmac,
    verify_hubspot_v1,
    verify_hubspot_v2,
    verify_hubspot_v3,
    verify_netsuite_callout,
    verify_shopify_query,
    verify_shopify_webhook,
)

HUBSPOT_SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
EXAMPLE_URI = "https://www.example.com/webhook_uri"
NOW = datetime(2024, 6, 10, 16, 0, tzinfo=UTC)
ENCODINGS: list[CalloutEncoding] = ["hex", "base64"]

# --- A1. HubSpot v1 (docs) -------------------------------------------------------------------------

A1_BODY = (
    b'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
    b'"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM",'
    b'"changeFlag":"NEW","appId":54321}]'
)
A1_EXPECTED = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"


def test_hubspot_v1_matches_the_documented_example() -> None:
    assert hubspot_v1_signature(HUBSPOT_SECRET, A1_BODY) == A1_EXPECTED
    assert verify_hubspot_v1(HUBSPOT_SECRET, A1_BODY, A1_EXPECTED).ok
    assert verify_hubspot_v1(HUBSPOT_SECRET, A1_BODY, A1_EXPECTED.upper()).ok


def test_hubspot_v1_rejects_a_missing_or_wrong_signature() -> None:
    assert verify_hubspot_v1(HUBSPOT_SECRET, A1_BODY, None).failure is VerificationFailure.MISSING
    assert verify_hubspot_v1("other", A1_BODY, A1_EXPECTED).failure is VerificationFailure.MISMATCH


# --- A2. HubSpot v2 (docs) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body", "expected"),
    [
        ("GET", b"", "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"),
        (
            "POST",
            b'{"example_field":"example_value"}',
            "9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900",
        ),
    ],
)
def test_hubspot_v2_matches_the_documented_examples(method: str, body: bytes, expected: str) -> None:
    assert hubspot_v2_signature(HUBSPOT_SECRET, method, EXAMPLE_URI, body) == expected
    assert verify_hubspot_v2(HUBSPOT_SECRET, method, EXAMPLE_URI, body, expected).ok
    wrong_uri = verify_hubspot_v2(HUBSPOT_SECRET, method, EXAMPLE_URI + "/", body, expected)
    assert wrong_uri.failure is VerificationFailure.MISMATCH


# --- A3. HubSpot v1/v2/v3 (official Python SDK tests) ----------------------------------------------

SDK_BODY = b"{'example_field':'example_value'}"
SDK_V3 = "HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw="


def test_hubspot_sdk_vectors_for_v1_and_v2() -> None:
    assert (
        hubspot_v1_signature(HUBSPOT_SECRET, SDK_BODY)
        == "69fc6631a867edd4f9e9e627fc5c1148e3fbdd8b21837b6d2b8901c1fa57f750"
    )
    assert (
        hubspot_v2_signature(HUBSPOT_SECRET, "POST", EXAMPLE_URI, SDK_BODY)
        == "4fe4e3a7d3cf09db53be39d0a58130e2aaba074ec123a9e355b876a689a1c383"
    )


def test_hubspot_v3_matches_the_sdk_vector() -> None:
    assert hubspot_v3_signature(HUBSPOT_SECRET, "POST", EXAMPLE_URI, SDK_BODY, "15000000") == SDK_V3


def test_hubspot_v3_sdk_vector_verifies_when_now_is_close_to_its_timestamp() -> None:
    near = datetime.fromtimestamp(15_000, tz=UTC) + timedelta(seconds=30)
    result = verify_hubspot_v3(
        HUBSPOT_SECRET, "POST", EXAMPLE_URI, SDK_BODY, signature=SDK_V3, timestamp="15000000", now=near
    )
    assert result.ok


def test_hubspot_v3_sdk_vector_is_stale_today() -> None:
    result = verify_hubspot_v3(
        HUBSPOT_SECRET, "POST", EXAMPLE_URI, SDK_BODY, signature=SDK_V3, timestamp="15000000", now=NOW
    )
    assert result.failure is VerificationFailure.STALE


# --- A4. Shopify webhook HMAC (official JS library test) -------------------------------------------

A4_BODY = b'{"foo": "bar"}'
A4_EXPECTED = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="


def test_shopify_webhook_hmac_matches_the_library_vector() -> None:
    assert shopify_webhook_hmac("test_secret_key", A4_BODY) == A4_EXPECTED
    assert verify_shopify_webhook(["test_secret_key"], A4_BODY, A4_EXPECTED).ok


def test_shopify_webhook_accepts_any_secret_of_a_rotation() -> None:
    assert verify_shopify_webhook(["new-secret", "test_secret_key"], A4_BODY, A4_EXPECTED).ok
    result = verify_shopify_webhook(["new-secret"], A4_BODY, A4_EXPECTED)
    assert result.failure is VerificationFailure.MISMATCH


def test_shopify_webhook_tells_missing_from_malformed() -> None:
    assert verify_shopify_webhook(["s"], A4_BODY, "").failure is VerificationFailure.MISSING
    assert verify_shopify_webhook(["s"], A4_BODY, "not base64!").failure is VerificationFailure.MALFORMED


def test_shopify_webhook_refuses_to_verify_without_secrets() -> None:
    with pytest.raises(ValueError, match="at least one secret"):
        verify_shopify_webhook([], A4_BODY, A4_EXPECTED)


# --- A5. Shopify OAuth callback query HMAC (docs worked example) -----------------------------------

A5_QUERY = (
    "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
    "&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173"
)


def test_shopify_query_hmac_matches_the_documented_example() -> None:
    params = dict(parse_qsl(A5_QUERY))
    assert shopify_query_hmac("hush", params) == params["hmac"]
    assert verify_shopify_query("hush", params).ok
    assert verify_shopify_query("hush", {**params, "shop": "evil.myshopify.com"}).failure is (
        VerificationFailure.MISMATCH
    )
    assert verify_shopify_query("hush", {"shop": "x"}).failure is VerificationFailure.MISSING


# --- A6. OAuth 1.0a HMAC-SHA1 reference vectors, through oauthlib ----------------------------------

PHOTOS_URI = "http://photos.example.net/photos?file=vacation.jpg&size=original"
PHOTOS_CREDENTIALS = ("dpf43f3p2l4k3l03", "kd94hf93k423kf44", "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00")
RFC5849_BASE_STRING = (
    "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03"
    "%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202"
    "%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal"
)


def oauth_base_string(method: str, uri: str, oauth_params: dict[str, str], form_body: str = "") -> str:
    """Build the base string with oauthlib's own functions (the library the connector uses)."""
    params = oauth_signature.collect_parameters(uri_query=urlsplit(uri).query, body=form_body or None)
    params.extend(oauth_params.items())
    normalized = oauth_signature.normalize_parameters(params)
    return str(
        oauth_signature.signature_base_string(method, oauth_signature.base_string_uri(uri), normalized)
    )


def photos_client() -> Client:
    consumer_key, consumer_secret, token, token_secret = PHOTOS_CREDENTIALS
    return Client(
        consumer_key,
        client_secret=consumer_secret,
        resource_owner_key=token,
        resource_owner_secret=token_secret,
    )


def photos_params(signature_method: str, nonce: str, timestamp: str) -> dict[str, str]:
    consumer_key, _, token, _ = PHOTOS_CREDENTIALS
    return {
        "oauth_consumer_key": consumer_key,
        "oauth_token": token,
        "oauth_signature_method": signature_method,
        "oauth_timestamp": timestamp,
        "oauth_nonce": nonce,
    }


# oauthlib's sign_hmac_sha1_with_client itself calls its deprecated sign_hmac_sha1
SHA1_SELF_DEPRECATION = pytest.mark.filterwarnings("ignore:use sign_hmac_sha1_with_client:DeprecationWarning")


@SHA1_SELF_DEPRECATION
def test_oauthlib_reproduces_the_rfc5849_base_string_and_signature() -> None:
    base = oauth_base_string("GET", PHOTOS_URI, photos_params("HMAC-SHA1", "chapoH", "137131202"))
    assert base == RFC5849_BASE_STRING
    _, consumer_secret, _, token_secret = PHOTOS_CREDENTIALS
    assert (
        oauth_signature.sign_hmac_sha1(base, consumer_secret, token_secret) == "MdpQcU8iPSUjWoN/UDMsK2sui9I="
    )


@SHA1_SELF_DEPRECATION
def test_oauthlib_reproduces_oauth_core_appendix_a5() -> None:
    params = photos_params("HMAC-SHA1", "kllo9940pd9333jh", "1191242096") | {"oauth_version": "1.0"}
    base = oauth_base_string("GET", PHOTOS_URI, params)
    _, consumer_secret, _, token_secret = PHOTOS_CREDENTIALS
    assert (
        oauth_signature.sign_hmac_sha1(base, consumer_secret, token_secret) == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
    )


def test_oauthlib_client_reproduces_the_twitter_guide_with_a_form_body() -> None:
    client = Client(
        "xvz1evFS4wEEPTGEFPHBog",
        client_secret="kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        resource_owner_key="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        resource_owner_secret="LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        timestamp="1318622958",
    )
    _, headers, _ = client.sign(
        "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        http_method="POST",
        body={"status": "Hello Ladies + Gentlemen, a signed OAuth request!"},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 'oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"' in headers["Authorization"]


# --- A7. NetSuite TBA HMAC-SHA256 (Oracle's worked example), through oauthlib ----------------------

NS_CREDENTIALS = {
    "client_key": "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
    "client_secret": "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
    "resource_owner_key": "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
    "resource_owner_secret": "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
}
NS_REST_GET = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40"
NS_RESTLET_POST = (
    "https://123456.restlets.api.netsuite.com/app/site/hosting/restlet.nl"
    "?script=6&deploy=1&customParam=someValue&testParam=someOtherValue"
)
NS_REST_BASE_STRING = (
    "GET&https%3A%2F%2F123456.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Femployee%2F40"
    "&oauth_consumer_key%3Def40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4"
    "%26oauth_nonce%3DfjaLirsIcCGVZWzBX0pg%26oauth_signature_method%3DHMAC-SHA256"
    "%26oauth_timestamp%3D1508242306"
    "%26oauth_token%3D2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc%26oauth_version%3D1.0"
)


def netsuite_client() -> Client:
    return Client(
        **NS_CREDENTIALS,
        signature_method=SIGNATURE_HMAC_SHA256,
        realm="123456",
        nonce="fjaLirsIcCGVZWzBX0pg",
        timestamp="1508242306",
    )


@pytest.mark.parametrize(
    ("method", "uri", "expected_in_header"),
    [
        ("GET", NS_REST_GET, "B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D"),
        ("POST", NS_RESTLET_POST, "%2BKK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ%3D"),
    ],
)
def test_oauthlib_client_reproduces_oracles_netsuite_tba_example(
    method: str, uri: str, expected_in_header: str
) -> None:
    _, headers, _ = netsuite_client().sign(uri, http_method=method)
    authorization = headers["Authorization"]
    assert authorization.startswith('OAuth realm="123456"')
    assert f'oauth_signature="{expected_in_header}"' in authorization
    assert "oauth_body_hash" not in authorization


def test_oauthlib_reproduces_oracles_rest_base_string_and_raw_signature() -> None:
    params = {
        "oauth_consumer_key": NS_CREDENTIALS["client_key"],
        "oauth_nonce": "fjaLirsIcCGVZWzBX0pg",
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_timestamp": "1508242306",
        "oauth_token": NS_CREDENTIALS["resource_owner_key"],
        "oauth_version": "1.0",
    }
    base = oauth_base_string("GET", NS_REST_GET, params)
    assert base == NS_REST_BASE_STRING
    raw = oauth_signature.sign_hmac_sha256_with_client(base, netsuite_client())
    assert raw == "B5OIWznZ2YP0OB7VrJrGkYsTh+8H+5T9Hag+o92q0zY="


# --- HubSpot v3 URI forms and freshness ------------------------------------------------------------

ENCODED_URI = "https://ingest.example/webhooks/hubspot?next=https%3A%2F%2Fx.example%2Fa%28b%29&v=%25"


def test_decode_hubspot_uri_decodes_only_the_listed_escapes_once() -> None:
    decoded = decode_hubspot_uri(ENCODED_URI + "%2a%3b%20%253A")
    assert decoded == "https://ingest.example/webhooks/hubspot?next=https://x.example/a(b)&v=%25*;%20%253A"


@pytest.mark.parametrize("decode_uri", [False, True])
def test_hubspot_v3_verification_accepts_the_raw_and_the_decoded_uri(decode_uri: bool) -> None:
    timestamp = hubspot_v3_timestamp(NOW)
    signature = hubspot_v3_signature(
        HUBSPOT_SECRET, "POST", ENCODED_URI, b"[]", timestamp, decode_uri=decode_uri
    )
    result = verify_hubspot_v3(
        HUBSPOT_SECRET, "POST", ENCODED_URI, b"[]", signature=signature, timestamp=timestamp, now=NOW
    )
    assert result.ok


def test_decoding_changes_the_v3_signature_of_an_escaped_uri() -> None:
    raw = hubspot_v3_signature(HUBSPOT_SECRET, "POST", ENCODED_URI, b"[]", "1")
    assert raw != hubspot_v3_signature(HUBSPOT_SECRET, "POST", ENCODED_URI, b"[]", "1", decode_uri=True)


@pytest.mark.parametrize(
    ("signature", "timestamp", "reason"),
    [
        (None, "1718035200000", VerificationFailure.MISSING),
        (SDK_V3, None, VerificationFailure.MISSING),
        (SDK_V3, "", VerificationFailure.MISSING),
        (SDK_V3, "1718035200000.0", VerificationFailure.MALFORMED),
        (SDK_V3, "-1718035200000", VerificationFailure.MALFORMED),
        (SDK_V3, " 1718035200000", VerificationFailure.MALFORMED),
    ],
)
def test_hubspot_v3_names_the_reason_of_a_rejection(
    signature: str | None, timestamp: str | None, reason: VerificationFailure
) -> None:
    result = verify_hubspot_v3(
        HUBSPOT_SECRET, "POST", EXAMPLE_URI, b"[]", signature=signature, timestamp=timestamp, now=NOW
    )
    assert result.failure is reason
    assert not result.ok


def test_hubspot_v3_timestamp_is_epoch_milliseconds() -> None:
    assert hubspot_v3_timestamp(datetime(2024, 6, 10, 16, 0, 0, 123_000, tzinfo=UTC)) == "1718035200123"


# --- NetSuite callout (project convention) ---------------------------------------------------------


def test_netsuite_callout_signs_timestamp_dot_body_with_hmac_sha256() -> None:
    digest = hmac.new(b"k", b"1718035200.{}", hashlib.sha256).digest()
    assert netsuite_callout_signature("k", "1718035200", b"{}", encoding="hex") == digest.hex()
    assert netsuite_callout_signature("k", "1718035200", b"{}") == base64.b64encode(digest).decode()


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_netsuite_callout_verifies_either_encoding(encoding: CalloutEncoding) -> None:
    timestamp = netsuite_callout_timestamp(NOW)
    assert timestamp == "1718035200"
    signature = netsuite_callout_signature("k", timestamp, b'{"id":"1"}', encoding=encoding)
    result = verify_netsuite_callout("k", b'{"id":"1"}', signature=signature, timestamp=timestamp, now=NOW)
    assert result.ok


def test_netsuite_callout_rejects_stale_malformed_and_missing() -> None:
    old = netsuite_callout_timestamp(NOW - timedelta(minutes=6))
    stale = netsuite_callout_signature("k", old, b"{}")
    assert verify_netsuite_callout("k", b"{}", signature=stale, timestamp=old, now=NOW).failure is (
        VerificationFailure.STALE
    )
    now_ts = netsuite_callout_timestamp(NOW)
    assert verify_netsuite_callout("k", b"{}", signature="%%%", timestamp=now_ts, now=NOW).failure is (
        VerificationFailure.MALFORMED
    )
    assert verify_netsuite_callout("k", b"{}", signature=None, timestamp=now_ts, now=NOW).failure is (
        VerificationFailure.MISSING
    )


# --- Properties: sign then verify; one changed byte fails; stale fails -----------------------------

secrets = st.text(min_size=1, max_size=40)
bodies = st.binary(max_size=300)
# hypothesis wants naive bounds and adds the zone itself
moments = st.datetimes(
    min_value=datetime(2001, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
paths = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789/-_%3AF2?=&", max_size=40)


def flip_one_byte(data: bytes, index: int, delta: int) -> bytes:
    position = index % len(data)
    changed = (data[position] + delta) % 256
    return data[:position] + bytes([changed]) + data[position + 1 :]


@given(
    secret=secrets,
    body=bodies,
    path=paths,
    now=moments,
    index=st.integers(0, 10_000),
    delta=st.integers(1, 255),
)
def test_hubspot_v3_round_trips_and_detects_any_one_byte_change(
    *, secret: str, body: bytes, path: str, now: datetime, index: int, delta: int
) -> None:
    uri, timestamp = f"https://ingest.example/{path}", hubspot_v3_timestamp(now)
    signature = hubspot_v3_signature(secret, "POST", uri, body, timestamp)

    def verify(signed_body: bytes) -> VerificationFailure | None:
        return verify_hubspot_v3(
            secret, "POST", uri, signed_body, signature=signature, timestamp=timestamp, now=now
        ).failure

    assert verify(body) is None
    assert verify(flip_one_byte(body + b"!", index, delta)) is VerificationFailure.MISMATCH


@given(secrets, bodies, moments, st.integers(301, 10**7))
def test_hubspot_v3_rejects_timestamps_outside_five_minutes(
    secret: str, body: bytes, now: datetime, seconds_off: int
) -> None:
    for skew in (timedelta(seconds=-seconds_off), timedelta(seconds=seconds_off)):
        timestamp = hubspot_v3_timestamp(now + skew)
        signature = hubspot_v3_signature(secret, "POST", EXAMPLE_URI, body, timestamp)
        result = verify_hubspot_v3(
            secret, "POST", EXAMPLE_URI, body, signature=signature, timestamp=timestamp, now=now
        )
        assert result.failure is VerificationFailure.STALE


@given(secrets, bodies, st.integers(0, 10_000), st.integers(1, 255))
def test_shopify_webhook_round_trips_and_detects_any_one_byte_change(
    secret: str, body: bytes, index: int, delta: int
) -> None:
    signature = shopify_webhook_hmac(secret, body)
    assert verify_shopify_webhook([secret], body, signature).ok
    tampered = flip_one_byte(body + b"!", index, delta)
    assert verify_shopify_webhook([secret], tampered, signature).failure is VerificationFailure.MISMATCH
    assert verify_shopify_webhook([secret], body + b"!", signature).failure is VerificationFailure.MISMATCH


@given(
    secret=secrets,
    body=bodies,
    now=moments,
    index=st.integers(0, 10_000),
    delta=st.integers(1, 255),
    encoding=st.sampled_from(ENCODINGS),
)
def test_netsuite_callout_round_trips_and_detects_any_one_byte_change(
    *, secret: str, body: bytes, now: datetime, index: int, delta: int, encoding: CalloutEncoding
) -> None:
    timestamp = netsuite_callout_timestamp(now)
    signature = netsuite_callout_signature(secret, timestamp, body, encoding=encoding)
    assert verify_netsuite_callout(secret, body, signature=signature, timestamp=timestamp, now=now).ok
    tampered = flip_one_byte(body + b"!", index, delta)
    result = verify_netsuite_callout(secret, tampered, signature=signature, timestamp=timestamp, now=now)
    assert result.failure is VerificationFailure.MISMATCH
    late = verify_netsuite_callout(
        secret, body, signature=signature, timestamp=timestamp, now=now + timedelta(seconds=301)
    )
    assert late.failure is VerificationFailure.STALE


@given(secrets, bodies, st.integers(0, 10_000), st.integers(1, 255))
def test_hubspot_v1_and_v2_detect_any_one_byte_change(
    secret: str, body: bytes, index: int, delta: int
) -> None:
    body = body + b"!"
    tampered = flip_one_byte(body, index, delta)
    v1 = hubspot_v1_signature(secret, body)
    v2 = hubspot_v2_signature(secret, "POST", EXAMPLE_URI, body)
    assert verify_hubspot_v1(secret, body, v1).ok
    assert verify_hubspot_v2(secret, "POST", EXAMPLE_URI, body, v2).ok
    assert verify_hubspot_v1(secret, tampered, v1).failure is VerificationFailure.MISMATCH
    assert (
        verify_hubspot_v2(secret, "POST", EXAMPLE_URI, tampered, v2).failure is VerificationFailure.MISMATCH
    )
