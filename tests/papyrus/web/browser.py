"""Chromium (the Debian binary, never `playwright install`) against a live ASGI Papyrus: the
server serves HTTP and the /ws/pages/<id>/ socket, with the test Redis for presence/events."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
# UPDATE_SCREENSHOTS=1 writes the README's screenshots into docs/img/ as well.
DOCS_IMG = ROOT / "docs" / "img" if os.environ.get("UPDATE_SCREENSHOTS") else None


@contextmanager
def chromium():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def unique(word: str) -> str:
    return f"{word}{uuid.uuid4().hex[:8]}"


def register(page: Page, base: str, name: str) -> str:
    """Sign up through the Register form; returns the email."""
    email = f"{unique(name.lower())}@example.com"
    page.goto(base + "/register/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return email


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def create_page(page: Page, base: str, title: str, content: str, tags: str = "") -> int:
    """Create through New page → Save; returns the new page's id."""
    page.goto(base + "/")
    page.get_by_role("link", name="New page").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Content").fill(content)
    page.get_by_label("Tags").fill(tags)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    return int(page.url.rstrip("/").split("/")[-1])


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if DOCS_IMG is not None:
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"{name}.png"), full_page=True)
