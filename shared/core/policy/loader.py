"""Load and validate a reconciliation policy from TOML text.

Pure: the caller reads the file and passes its text and name, so errors can name the file. The default
policy ships inside this package and is read through ``importlib.resources``.
"""

import tomllib
from functools import cache
from importlib import resources

from pydantic import ValidationError

from shared.core.errors import PolicyError
from shared.core.model import Customer, EntityType, Order, Product
from shared.core.policy.lifecycle import STATES_BY_ENTITY_TYPE
from shared.core.policy.model import ConflictStrategy, EntityPolicy, FieldRule, Policy

DEFAULT_POLICY_RESOURCE = "default.toml"

_CANONICAL_FIELDS: dict[EntityType, frozenset[str]] = {
    EntityType.CUSTOMER: frozenset(Customer.model_fields) - {"entity_id"},
    EntityType.PRODUCT: frozenset(Product.model_fields) - {"entity_id"},
    EntityType.ORDER: frozenset(Order.model_fields) - {"entity_id"},
}


def load_policy(text: str, file_name: str) -> Policy:
    """Parse and validate policy TOML.

    Raises :class:`PolicyError` whose message is ``"<file>: <key.path>: <reason>"`` (one such part per
    problem, joined by ``"; "``) for malformed TOML, a wrong shape or type, or a rule that contradicts
    itself or the canonical model (unknown field or lifecycle state, owner also listed as follower,
    ``owner_wins`` without an owner).
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{file_name}: <document>: invalid TOML ({error})") from error
    try:
        policy = Policy.model_validate(document)
    except ValidationError as error:
        problems = [f"{file_name}: {_key_path(e['loc'])}: {e['msg']}" for e in error.errors()]
        raise PolicyError("; ".join(problems)) from error
    problems = [f"{file_name}: {key}: {reason}" for key, reason in _semantic_problems(policy)]
    if problems:
        raise PolicyError("; ".join(problems))
    return policy


@cache
def default_policy() -> Policy:
    """The policy shipped with Concord (``shared/core/policy/default.toml``), loaded once."""
    text = resources.files(__package__).joinpath(DEFAULT_POLICY_RESOURCE).read_text(encoding="utf-8")
    return load_policy(text, DEFAULT_POLICY_RESOURCE)


def _key_path(location: tuple[int | str, ...]) -> str:
    parts = [str(part) for part in location if part != "[key]"]
    return ".".join(parts) or "<document>"


def _semantic_problems(policy: Policy) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for entity_type, entity in policy.entities.items():
        problems += _entity_problems(f"entities.{entity_type.value}", entity_type, entity)
    problems += _field_problems(
        "defaults.field", EntityType.CUSTOMER, policy.defaults.field, check_states=False
    )
    return problems


def _entity_problems(prefix: str, entity_type: EntityType, entity: EntityPolicy) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    known_fields = _CANONICAL_FIELDS[entity_type]
    for name, rule in entity.fields.items():
        key = f"{prefix}.fields.{name}"
        if name not in known_fields:
            problems.append((key, f"{entity_type.value} has no canonical field {name!r}"))
        problems += _field_problems(key, entity_type, rule, check_states=True)
    states = {state.value for state in STATES_BY_ENTITY_TYPE[entity_type]}
    for index, expectation in enumerate(entity.expect):
        for state in expectation.states:
            if state not in states:
                problems.append(
                    (f"{prefix}.expect.{index}.states", _unknown_state(entity_type, state, states))
                )
    return problems


def _field_problems(
    key: str, entity_type: EntityType, rule: FieldRule, *, check_states: bool
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    states = {state.value for state in STATES_BY_ENTITY_TYPE[entity_type]}
    for state in rule.owner_by_state if check_states else ():
        if state not in states:
            problems.append((f"{key}.owner_by_state.{state}", _unknown_state(entity_type, state, states)))
    # A platform that owns the field only in some states may have a follower mode for the others.
    if rule.owner is not None and rule.owner in rule.others:
        problems.append((f"{key}.others.{rule.owner.value}", "the owner cannot also be a follower"))
    if rule.strategy is ConflictStrategy.OWNER_WINS and rule.owner is None:
        problems.append((f"{key}.strategy", "owner_wins needs an owner (set owner, or use manual)"))
    return problems


def _unknown_state(entity_type: EntityType, state: str, states: set[str]) -> str:
    return f"{entity_type.value} has no lifecycle state {state!r} (known: {', '.join(sorted(states))})"
