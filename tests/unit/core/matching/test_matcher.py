from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import InvalidInput
from shared.core.matching import (
    Candidate,
    CreateEntity,
    LinkExisting,
    MatchConfig,
    MergeEntities,
    ProposalReason,
    ProposeLink,
    decide,
    match,
)
from shared.core.model import EntityType, ExternalRef, System
from shared.core.snapshot import CustomerSnapshot, OrderSnapshot, ProductSnapshot
from tests.unit.core.matching.builders import address, candidate, customer, order, product, ref, usd

Subject = CustomerSnapshot | ProductSnapshot | OrderSnapshot
JANE = {"first_name": "Jane", "last_name": "Doe"}


@dataclass(frozen=True)
class Case:
    name: str
    subject: Subject
    candidates: tuple[Candidate, ...]
    expected: type[LinkExisting | ProposeLink | MergeEntities | CreateEntity]
    entity: str | None = None
    reasons: tuple[ProposalReason, ...] = ()
    subject_cross_refs: frozenset[ExternalRef] = field(default_factory=frozenset)


CASES = [
    Case(
        "exact email auto-links",
        customer(System.SHOPIFY, "1", email="jane@acme.example", **JANE),
        (
            candidate("ent_a", customer(System.HUBSPOT, "51", email="jane@acme.example")),
            candidate("ent_b", customer(System.HUBSPOT, "52", email="bob@acme.example")),
        ),
        LinkExisting,
        entity="ent_a",
    ),
    Case(
        "email formatting differences still match",
        customer(System.SHOPIFY, "1", email="  Jane@ACME.Example "),
        (candidate("ent_a", customer(System.HUBSPOT, "51", email="jane@acme.example")),),
        LinkExisting,
        entity="ent_a",
    ),
    Case(
        "two entities sharing the email, each with its own HubSpot contact, become a proposal",
        customer(System.SHOPIFY, "1", email="jane@acme.example"),
        (
            candidate("ent_b", customer(System.HUBSPOT, "52", email="jane@acme.example")),
            candidate("ent_a", customer(System.HUBSPOT, "53", email="JANE@acme.example")),
        ),
        ProposeLink,
        entity="ent_a",
        reasons=(ProposalReason.KEY_CONFLICT,),
    ),
    Case(
        "two entities sharing the email from different platforms are merged into the least id",
        customer(System.SHOPIFY, "1", email="jane@acme.example"),
        (
            candidate("ent_b", customer(System.HUBSPOT, "52", email="jane@acme.example")),
            candidate("ent_a", customer(System.NETSUITE, "107", email="JANE@acme.example")),
        ),
        MergeEntities,
        entity="ent_a",
    ),
    Case(
        "fuzzy name and phone become a proposal",
        customer(System.SHOPIFY, "1", first_name="jane", last_name="DOE", phone="+1 (613) 555-0100"),
        (
            candidate(
                "ent_a",
                customer(System.HUBSPOT, "51", first_name="Jane", last_name="Doe", phone="+16135550100"),
            ),
            candidate("ent_b", customer(System.HUBSPOT, "52", first_name="Bob", last_name="Stone")),
        ),
        ProposeLink,
        entity="ent_a",
        reasons=(ProposalReason.BELOW_AUTO_LINK,),
    ),
    Case(
        "nothing similar creates an entity",
        customer(System.SHOPIFY, "1", email="zed@other.example", first_name="Zed", last_name="Quill"),
        (candidate("ent_a", customer(System.HUBSPOT, "51", email="jane@acme.example", **JANE)),),
        CreateEntity,
    ),
    Case("no candidates creates an entity", customer(System.SHOPIFY, "1", **JANE), (), CreateEntity),
    Case(
        "a NetSuite externalId naming a linked Shopify record links",
        customer(System.NETSUITE, "107", email="other@acme.example"),
        (candidate("ent_a", customer(System.SHOPIFY, "7045610061887")),),
        LinkExisting,
        entity="ent_a",
        subject_cross_refs=frozenset({ref(System.SHOPIFY, EntityType.CUSTOMER, "7045610061887")}),
    ),
    Case(
        "a record another platform's record names as itself links",
        customer(System.SHOPIFY, "7045610061887"),
        (
            candidate(
                "ent_a",
                customer(System.NETSUITE, "107"),
                cross_refs=frozenset({ref(System.SHOPIFY, EntityType.CUSTOMER, "7045610061887")}),
            ),
        ),
        LinkExisting,
        entity="ent_a",
    ),
    Case(
        "sku formatting differences still match",
        product(System.SHOPIFY, "9", sku=" abc-1 ", title="Widget"),
        (candidate("ent_p", product(System.NETSUITE, "55", sku="ABC-1", title="Widget, blue")),),
        LinkExisting,
        entity="ent_p",
    ),
    Case(
        "order number with a leading hash matches",
        order(System.NETSUITE, "4321", order_number="1001"),
        (candidate("ent_o", order(System.SHOPIFY, "820982911946154508", order_number="#1001")),),
        LinkExisting,
        entity="ent_o",
    ),
    Case(
        "an entity already holding a record of the same platform is only proposed",
        customer(System.HUBSPOT, "99", email="jane@acme.example"),
        (candidate("ent_a", customer(System.HUBSPOT, "51", email="jane@acme.example")),),
        ProposeLink,
        entity="ent_a",
        reasons=(ProposalReason.SYSTEM_TAKEN,),
    ),
    Case(
        "two equally similar fuzzy candidates are ambiguous",
        customer(System.SHOPIFY, "1", phone="+16135550100", company="Acme Inc.", **JANE),
        (
            candidate("ent_b", customer(System.HUBSPOT, "52", phone="+16135550100", company="ACME", **JANE)),
            candidate(
                "ent_a", customer(System.NETSUITE, "7", phone="+16135550100", company="Acme Corp", **JANE)
            ),
        ),
        ProposeLink,
        entity="ent_a",
        reasons=(ProposalReason.BELOW_AUTO_LINK, ProposalReason.AMBIGUOUS),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_matching_decides_as_the_table_says(case: Case) -> None:
    result = match(case.subject, case.candidates, subject_cross_refs=case.subject_cross_refs)
    decision = decide(result)

    assert type(decision) is case.expected
    if isinstance(decision, LinkExisting | ProposeLink | MergeEntities):
        assert decision.entity_id == case.entity
    if isinstance(decision, ProposeLink):
        assert decision.reasons == case.reasons


def test_key_conflict_proposal_lists_the_other_key_sharing_entity() -> None:
    result = match(CASES[2].subject, CASES[2].candidates)
    decision = decide(result)

    assert result.key_conflict
    assert isinstance(decision, ProposeLink)
    assert decision.alternatives == ("ent_b",)


def test_a_record_whose_keys_join_complementary_entities_merges_them_into_the_least_id() -> None:
    # A NetSuite customer with a stale email names the Shopify record as itself; HubSpot has the
    # current email. Linked NetSuite first, then HubSpot, the two became entities of their own.
    subject = customer(System.SHOPIFY, "7", email="jane@acme.example")
    names_subject = frozenset({ref(System.SHOPIFY, EntityType.CUSTOMER, "7")})
    candidates = (
        candidate("ent_z", customer(System.HUBSPOT, "51", email="jane@acme.example")),
        candidate(
            "ent_m", customer(System.NETSUITE, "107", email="jane.old@acme.example"), cross_refs=names_subject
        ),
        candidate("ent_q", customer(System.HUBSPOT, "99", email="someone@else.example")),
    )

    result = match(subject, candidates)
    decision = decide(result)

    assert result.key_conflict and result.complementary
    assert isinstance(decision, MergeEntities)
    assert (decision.entity_id, decision.merged) == ("ent_m", ("ent_z",))


def test_fuzzy_explanation_names_each_feature_with_weight_and_similarity() -> None:
    result = match(CASES[4].subject, CASES[4].candidates)

    by_feature = {score.feature: score for score in result.explanation}
    assert by_feature["name"].similarity == 1.0
    assert by_feature["phone"].similarity == 1.0
    assert by_feature["address"].similarity is None
    assert by_feature["name"].weight == 0.35
    total = sum(score.weight for score in result.explanation)
    assert result.confidence == pytest.approx(sum(s.contribution for s in result.explanation) / total)
    assert result.best is not None
    assert "name 1.00" in result.best.describe()


def test_a_key_match_is_explained_by_the_shared_key() -> None:
    result = match(CASES[0].subject, CASES[0].candidates)

    assert result.best is not None
    assert result.best.key_matches == ("email:jane@acme.example",)
    assert result.confidence == 1.0


def test_address_similarity_counts_as_evidence() -> None:
    home = address(line1="12 Main St.", city="Ottawa", postal_code="K1A 0B1", country="CA")
    subject = customer(System.SHOPIFY, "1", addresses=(home,), **JANE)
    near = candidate("ent_a", customer(System.HUBSPOT, "51", addresses=(address(line1="12 main street",
                     city="OTTAWA", postal_code="k1a0b1", country="CA"),), **JANE))  # fmt: skip
    abroad = candidate(
        "ent_b",
        customer(System.HUBSPOT, "52", addresses=(home.model_copy(update={"country": "US"}),), **JANE),
    )

    result = match(subject, (abroad, near))

    scores = {
        str(score.entity_id): {f.feature: f.similarity for f in score.features} for score in result.ranked
    }
    assert scores["ent_b"]["address"] == 0.0
    assert (scores["ent_a"]["address"] or 0.0) > 0.9
    assert result.best is not None
    assert result.best.entity_id == "ent_a"


def test_products_and_orders_score_their_own_fuzzy_features() -> None:
    widget = product(System.SHOPIFY, "9", title="Blue Widget", price=usd("27.99"))
    same = candidate("ent_p", product(System.NETSUITE, "55", title="widget blue", price=usd("27.990")))
    assert match(widget, (same,)).confidence == pytest.approx(1.0)

    sale = order(System.NETSUITE, "1", customer_email="Jane@acme.example", total=usd("64.78"))
    twin = candidate(
        "ent_o", order(System.SHOPIFY, "2", customer_email="jane@acme.example", total=usd("64.78"))
    )
    assert match(sale, (twin,)).confidence == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("auto_link_at", "propose_at", "expected"),
    [(0.6, 0.5, LinkExisting), (0.9, 0.6, ProposeLink), (0.95, 0.9, CreateEntity)],
)
def test_thresholds_are_configurable(auto_link_at: float, propose_at: float, expected: type) -> None:
    config = MatchConfig(auto_link_at=auto_link_at, propose_at=propose_at)
    result = match(CASES[4].subject, CASES[4].candidates[:1], config=config)

    assert type(decide(result, config)) is expected


def test_weights_are_data_and_change_the_score() -> None:
    config = MatchConfig(weights={EntityType.CUSTOMER: {"name": 1.0}})

    result = match(CASES[4].subject, CASES[4].candidates, config=config)

    assert result.confidence == 1.0
    assert [score.feature for score in result.explanation] == ["name"]


@pytest.mark.parametrize(
    "settings",
    [
        {"auto_link_at": 0.5, "propose_at": 0.7},
        {"weights": {EntityType.CUSTOMER: {"shoe_size": 1.0}}},
        {"weights": {EntityType.PRODUCT: {"title": 0.0}}},
    ],
)
def test_invalid_config_is_rejected(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        MatchConfig.model_validate(settings)


def test_candidates_of_another_type_or_repeated_are_rejected() -> None:
    subject = customer(System.SHOPIFY, "1", **JANE)
    with pytest.raises(InvalidInput, match="not a customer"):
        match(subject, (candidate("ent_p", product(System.SHOPIFY, "9", sku="A")),))
    twice = candidate("ent_a", customer(System.HUBSPOT, "51"))
    with pytest.raises(InvalidInput, match="given twice"):
        match(subject, (twice, twice))


_POOL = [
    candidate(f"ent_{index}", customer(System.HUBSPOT, str(index), **values))
    for index, values in enumerate(
        [
            {"email": "jane@acme.example"},
            {"email": "jane@acme.example", "first_name": "J", "last_name": "Doe"},
            {"first_name": "Jane", "last_name": "Doe", "phone": "+16135550100"},
            {"first_name": "Jane", "last_name": "Doe", "phone": "+16135550100"},
            {"first_name": "Janet", "last_name": "Doe", "company": "Acme"},
            {"first_name": "Bob", "last_name": "Stone"},
            {},
        ]
    )
]


@given(st.permutations(_POOL), st.integers(min_value=1, max_value=len(_POOL)))
def test_matching_is_deterministic_under_candidate_order(pool: list[Candidate], size: int) -> None:
    subject = customer(System.SHOPIFY, "1", email="jane@acme.example", phone="+16135550100", **JANE)
    chosen = sorted(pool[:size], key=lambda c: c.entity_id)

    assert match(subject, pool[:size]) == match(subject, chosen)
    assert decide(match(subject, pool[:size])) == decide(match(subject, chosen))
