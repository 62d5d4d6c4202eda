"""Acceptance (issue 8): an operator resolves a hard conflict through the dashboard in a real browser.

Everything is real: the demo's start path (``infra.demo.start_demo``: sandbox, ingest, checker, syncer,
dashboard) on free ports with its own run dir, topic prefix and databases, on the session's Kafka and
FerretDB; headless Debian Chromium driven by Playwright. The operator signs in with the demo's generated
credentials, opens the hard conflict from the inbox, previews "Sync by policy", approves, and the page
shows the command applied and the discrepancy resolved once the syncer wrote the sandbox and the checker
saw the platforms agree. ``test-artifacts/dashboard-e2e.png`` is saved at the end and on failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from pymongo import MongoClient

from infra.demo import DemoConfig, DemoScenario, DemoSession
from shared.core.discrepancy import Discrepancy
from shared.core.model import System
from tests.e2e.browser import (
    RENDER_TIMEOUT_MS,
    choose,
    chromium_page,
    go_to,
    require_chromium,
    screenshot,
    sign_in,
    wait_for_rerun,
)
from tests.e2e.deployment import eventually, running_demo

pytestmark = pytest.mark.e2e

# Small, so seeding is quick; its ordinary drift (soft, missing) fills the inbox around the hard conflict
# the test plants itself: the scenario's own conflicts depend on timing (a 15-minute grace, a poll).
# Four products: the scenario re-prices one and drifts another's price out of band, so two stay
# untouched for the test's own conflict.
SCENARIO = DemoScenario(customers=6, products=4, orders=4)
SCREENSHOT = "dashboard-e2e.png"
CONFLICT_WAIT_S = 150.0
APPLIED_WAIT_MS = 120_000
RESOLVED_WAIT_S = 120.0


@pytest.fixture
def demo(kafka_bootstrap: str, mongo_uri: str, unique: str, tmp_path: Path) -> Iterator[DemoSession]:
    require_chromium()  # before minutes of start-up: a missing browser fails at once
    with running_demo(
        SCENARIO, kafka=kafka_bootstrap, mongo_uri=mongo_uri, name=f"e2eb_{unique}", run_dir=tmp_path / "run"
    ) as session:
        yield session


def test_an_operator_resolves_a_hard_conflict_from_the_inbox_in_a_browser(
    demo: DemoSession, tmp_path: Path
) -> None:
    config = demo.config
    product, netsuite_price = _plant_price_conflict(config, _touched_products(demo.report))
    conflict = eventually(
        lambda: _open_hard_conflict(config, product, netsuite_price),
        CONFLICT_WAIT_S,
        lambda: f"a hard conflict on {product} (its discrepancies: {_episodes(config, product)})",
    )
    with chromium_page(tmp_path / "chromium-profile") as page:
        try:
            sign_in(page, config.dashboard_url, demo.username, demo.password)
            _open_from_inbox(page, conflict)
            command_id = _preview_and_approve(page, conflict)
            expect(page.get_by_text(f"Command {command_id}: applied")).to_be_visible(timeout=APPLIED_WAIT_MS)
            assert _approver(config, command_id) == demo.username
            eventually(
                lambda: _shows_resolved(page, conflict, config), RESOLVED_WAIT_S,
                lambda: f"the entity view to show {conflict.dimension} #{conflict.episode} resolved",
            )  # fmt: skip
            assert _status(config, conflict.id) == "resolved"
        finally:
            screenshot(page, SCREENSHOT)


def _open_from_inbox(page: Page, conflict: Discrepancy) -> None:
    """Find the conflict in the inbox (its in-memory copy reloads every 15 s) and open its entity."""
    option = f"{conflict.entity_id} · {conflict.dimension} · hard_conflict"

    def listed() -> bool:
        go_to(page, "Entity")  # leaving and coming back re-runs the inbox on its newest copy
        go_to(page, "Inbox")
        return _offers(page, option)

    eventually(listed, 60.0, lambda: f"{option!r} in the inbox")
    choose(page, "Discrepancy", option)
    page.get_by_role("button", name="Open entity").click()
    expect(page.get_by_role("heading", name="Entity", exact=True)).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    wait_for_rerun(page)
    expect(page.get_by_text(f"{conflict.dimension} (hard_conflict", exact=False)).to_be_visible(
        timeout=RENDER_TIMEOUT_MS
    )


def _offers(page: Page, option: str) -> bool:
    box = page.get_by_role("combobox", name="Discrepancy", exact=True)
    if box.count() == 0:  # an empty inbox has no select box
        return False
    box.click()
    box.fill(option)
    found = page.get_by_role("option", name=option, exact=True).count() > 0
    page.keyboard.press("Escape")
    return found


def _preview_and_approve(page: Page, conflict: Discrepancy) -> str:
    """Preview "Sync by policy", check it writes the owner's value elsewhere, approve; the command id."""
    owner = conflict.finding.verdict.owner
    assert owner is not None
    owned = {v.field: v.value for v in conflict.finding.values if v.system is owner}
    actions = page.get_by_test_id("stRadio").filter(has_text="Action")
    actions.get_by_text("Sync by policy", exact=True).click()
    wait_for_rerun(page)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Preview: what the syncer will write")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    wait_for_rerun(page)

    def preview_rows() -> list[tuple[str, ...]] | None:
        rows = page.locator(".st-key-preview_writes table tbody tr")
        found = [tuple(row.locator("td").all_inner_texts()) for row in rows.all()]
        return [row for row in found if len(row) == 6] or None

    writes = eventually(preview_rows, 30.0, lambda: "the preview's writes")
    for _operation, platform, _record, field, _now, will_be in writes:
        assert platform != owner.value, f"the preview writes to the owner {owner}: {writes}"
        assert will_be == owned.get(field), f"{platform} {field} would not get {owner}'s value: {writes}"
    page.get_by_role("button", name="Approve").click()
    approved = page.get_by_text(re.compile(r"Approved: command \S+ published by"))
    expect(approved).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    match = re.search(r"command (\S+) published", approved.inner_text())
    assert match is not None
    return match.group(1)


def _shows_resolved(page: Page, conflict: Discrepancy, config: DemoConfig) -> bool:
    """Whether the episode is resolved and a fresh entity view no longer lists it as open."""
    go_to(page, "Inbox")  # leaving and coming back re-reads the entity (the inbox renders from memory)
    go_to(page, "Entity")
    expect(page.get_by_text("Values side by side")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    still_open = page.get_by_text(f"{conflict.dimension} (hard_conflict", exact=False).count() > 0
    return not still_open and _status(config, conflict.id) == "resolved"


def _touched_products(report: dict[str, object]) -> set[str]:
    """NetSuite item ids whose price the scenario changes after set-up (re-priced or drifted)."""
    repriced = report.get("price_changes")
    keys = set(repriced) if isinstance(repriced, list) else set()
    products = {str(p["key"]): str(p["records"]["netsuite"]) for p in _objects(report.get("products"))}
    drifted = {
        str(d["record_id"]) for d in _objects(report.get("drift")) if d.get("object_type") == "inventoryItem"
    }
    return {products[key] for key in keys if key in products} | drifted


def _objects(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _plant_price_conflict(config: DemoConfig, touched: set[str]) -> tuple[str, Decimal]:
    """Once a product the scenario leaves alone is verified in agreement, re-price it differently in
    NetSuite (its owner) and HubSpot, both announced (callout, webhook): both sides changed since they
    agreed, a hard conflict at once. Returns the product's entity id and its new NetSuite price."""
    entity_id = eventually(
        lambda: _agreed_product(config, touched), CONFLICT_WAIT_S, lambda: "a product whose price is verified"
    )
    refs = _refs(config, entity_id)
    item = httpx.get(f"{config.sandbox_url}/_admin/records/netsuite/inventoryItem/{refs['netsuite']}").json()
    price = Decimal(str(item["basePrice"]))
    edits = [
        ("netsuite", "inventoryItem", refs["netsuite"], {"basePrice": float(price + 7)}),
        ("hubspot", "products", refs["hubspot"], {"properties": {"price": str(price + 3)}}),
    ]
    for system, object_type, record_id, changes in edits:
        body = {
            "system": system,
            "object_type": object_type,
            "id": record_id,
            "changes": changes,
            "emit": True,
        }
        httpx.post(f"{config.sandbox_url}/_admin/edit", json=body, timeout=10.0).raise_for_status()
    return entity_id, price + 7


def _agreed_product(config: DemoConfig, touched: set[str]) -> str | None:
    """A product whose price was verified in agreement, that HubSpot and NetSuite both hold and whose
    NetSuite item the scenario leaves alone."""
    with MongoClient[dict[str, object]](config.mongo_uri) as client:
        database = client[config.database]
        for state in database["check_state"].find({"dimension": "product_pricing", "outcome": "consistent"}):
            links = database["links"].find({"entity_id": state["entity_id"]}, {"_id": 1})
            keys = [str(link["_id"]) for link in links]
            netsuite = {key.split(":")[-1] for key in keys if key.startswith("netsuite:")}
            if netsuite and not netsuite & touched and any(key.startswith("hubspot:") for key in keys):
                return str(state["entity_id"])
    return None


def _refs(config: DemoConfig, entity_id: str) -> dict[str, str]:
    """The entity's record id per platform, from its links."""
    with MongoClient[dict[str, object]](config.mongo_uri) as client:
        links = list(client[config.database]["links"].find({"entity_id": entity_id}))
    refs = {str(link["_id"]).split(":")[0]: str(link["_id"]).split(":")[-1] for link in links}
    assert {"netsuite", "hubspot"} <= refs.keys(), f"{entity_id} is not linked everywhere: {refs}"
    return refs


def _open_hard_conflict(config: DemoConfig, entity_id: str, netsuite_price: Decimal) -> Discrepancy | None:
    """The open hard conflict on the product once it shows the test's own NetSuite price."""
    with MongoClient[dict[str, object]](config.mongo_uri, tz_aware=True) as client:
        document = client[config.database]["discrepancies"].find_one(
            {"status": "open", "kind": "hard_conflict", "document.entity_id": entity_id}
        )
    if document is None:
        return None
    found = Discrepancy.model_validate(document["document"])
    netsuite = [v.value for v in found.finding.values if v.system is System.NETSUITE and v.value]
    return found if any(Decimal(value.split()[0]) == netsuite_price for value in netsuite) else None


def _episodes(config: DemoConfig, entity_id: str) -> list[tuple[object, ...]]:
    with MongoClient[dict[str, object]](config.mongo_uri) as client:
        documents = client[config.database]["discrepancies"].find({"document.entity_id": entity_id})
        return [(d.get("status"), d.get("kind"), d.get("document")) for d in documents]


def _approver(config: DemoConfig, command_id: str) -> object:
    with MongoClient[dict[str, object]](config.mongo_uri) as client:
        document = client[config.database]["sync_commands"].find_one({"_id": command_id})
    assert document is not None, f"command {command_id} was not recorded"
    return document.get("approved_by")


def _status(config: DemoConfig, episode_id: str) -> object:
    with MongoClient[dict[str, object]](config.mongo_uri) as client:
        document = client[config.database]["discrepancies"].find_one({"_id": episode_id}, {"status": 1})
    return None if document is None else document.get("status")
