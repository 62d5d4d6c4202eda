"""Headless Debian Chromium driven by Playwright, and the dashboard's stable labels as page operations.

Chromium is Debian's package at ``/usr/bin/chromium`` (``make browser`` installs it); Playwright's own
browser download is never used. Flags are STACK.md's: no sandbox (root in a container), no GPU, no
background traffic. Labels come from ``services/dashboard/README.md`` ("Stable labels and keys").
Streamlit renders tables on a canvas; the cells' text is read from glide-data-grid's accessible copy
(``data-testid="glide-cell-<column>-<row>"``, row 0 is the header).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
RENDER_TIMEOUT_MS = 30_000
"""A Streamlit re-run on a loaded two-core machine; a page that takes longer is broken. Passed to every
``expect`` here explicitly (its own default is 5 s)."""


def require_chromium() -> None:
    """Fail (never skip: CI installs the browser) when Debian's chromium is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium) first")


@contextmanager
def chromium_page(user_data_dir: Path) -> Iterator[Page]:
    """A page of a fresh headless Chromium profile in ``user_data_dir``; the browser closes on exit."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1600, "height": 1400},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(RENDER_TIMEOUT_MS)
            yield page
        finally:
            context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under ``test-artifacts/``; returns its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    """Open the dashboard and sign in; returns once the signed-in sidebar shows."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    # exact: the password field's eye button is labelled "Show password".
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=RENDER_TIMEOUT_MS)


def go_to(page: Page, name: str) -> None:
    """Choose a page in the sidebar ("Inbox", "Entity", "Health") and wait until it has rendered."""
    page.get_by_test_id("stSidebar").get_by_text(name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    wait_for_rerun(page)


def wait_for_rerun(page: Page) -> None:
    """Wait until Streamlit has finished the current script run (its status widget disappears)."""
    page.wait_for_timeout(300)  # the status widget appears a moment after the triggering event
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=RENDER_TIMEOUT_MS)


def choose(page: Page, label: str, option: str | re.Pattern[str]) -> None:
    """Pick ``option`` in the select box labelled ``label`` (typing narrows its list first)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option if isinstance(option, str) else "")
    page.get_by_role("option", name=option).first.click()
    wait_for_rerun(page)
