"""Every browser flow of issue 16, in Chromium against a live server (uvicorn, HTTP + WebSocket)."""
import re

import pytest
from playwright.sync_api import expect

from .browser import chromium, create_page, register, shot, sign_in, unique

NO_RATE_LIMIT = {"RATE_LIMIT_ENABLED": "false"}  # several sign-ups from one address in seconds


@pytest.fixture
def server(papyrus_server):
    return papyrus_server(workers=1, interface="asgi", env=NO_RATE_LIMIT)


def test_register_create_edit_with_preview_search_history_diff_restore(server):
    base = server.url
    token = unique("quokka")  # a word no other page holds, so search results are this page's
    title = f"Runbook {token}"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        register(page, base, "Alice")
        page_id = create_page(page, base, title, f"First draft about {token} migrations.", tags="ops, runbook")
        expect(page.locator(".markdown")).to_contain_text("First draft")
        shot(page, "wiki-page")

        page.get_by_role("link", name="Edit").click()
        page.get_by_label("Content").fill(f"## Steps\n\nThe **second** draft about {token} migrations.")
        page.get_by_role("button", name="Preview").click()
        preview = page.locator("#preview-pane")
        expect(preview.get_by_role("heading", name="Steps", level=2)).to_be_visible()
        expect(preview.locator("strong")).to_have_text("second")
        expect(page.get_by_label("Content")).to_be_hidden()  # the Write tab is hidden while previewing
        shot(page, "wiki-editor")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".markdown strong")).to_have_text("second")

        page.goto(base + "/")
        expect(page.get_by_role("link", name=title)).to_be_visible()
        shot(page, "wiki-list")
        search = page.get_by_label("Search")
        search.press_sequentially(token[:9], delay=40)  # a prefix of the word: results as you type
        result = page.locator("#search-results").get_by_role("link", name=title)
        expect(result).to_be_visible()
        expect(page.locator("#search-results mark").first).to_contain_text(token)
        result.click()
        expect(page).to_have_url(f"{base}/pages/{page_id}/")

        page.get_by_role("link", name="History").click()
        rows = page.locator("table.history tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Alice")
        shot(page, "wiki-history")
        page.get_by_role("button", name="Compare").click()
        expect(page.locator(".diff .del")).to_contain_text(["First draft"])
        expect(page.locator(".diff .add").filter(has_text="second")).to_have_count(1)

        page.get_by_role("link", name="History").click()
        page.get_by_role("button", name="Restore version 1").click()
        expect(rows).to_have_count(3)  # a new revision: the second draft is kept as version 2
        page.goto(f"{base}/pages/{page_id}/")
        expect(page.locator(".markdown")).to_contain_text("First draft")
        page.get_by_role("link", name="History").click()
        page.get_by_label("From version 2").check()
        page.get_by_label("To version 3").check()
        page.get_by_role("button", name="Compare").click()
        expect(page.locator(".diff .del").filter(has_text="second")).to_have_count(1)

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("link", name="Sign in")).to_be_visible()
        page.goto(f"{base}/pages/{page_id}/")
        expect(page.get_by_role("link", name="Edit")).to_have_count(0)


def test_a_second_browser_saving_over_a_newer_version_gets_the_conflict(server):
    base = server.url
    with chromium() as browser:
        first, second = browser.new_context().new_page(), browser.new_context().new_page()
        email = register(first, base, "Alice")
        sign_in(second, base, email)  # the same person on a second machine
        page_id = create_page(first, base, unique("Shared "), "the original line")
        for tab in (first, second):
            tab.goto(f"{base}/pages/{page_id}/edit/")
        first.get_by_label("Content").fill("the first browser's line")
        first.get_by_role("button", name="Save").click()
        expect(first.locator(".markdown")).to_contain_text("the first browser's line")

        second.get_by_label("Content").fill("the second browser's line")
        second.get_by_role("button", name="Save").click()
        conflict = second.get_by_role("alert")
        expect(conflict).to_contain_text("changed while you were editing")
        expect(conflict.locator(".current-version")).to_contain_text("the first browser's line")
        expect(second.get_by_label("Content")).to_have_value("the second browser's line")
        shot(second, "wiki-conflict")

        second.get_by_label("Content").fill("the first browser's line\nthe second browser's line")
        second.get_by_role("button", name="Save").click()  # now on top of the current version
        expect(second.locator(".markdown")).to_contain_text("the second browser's line")
        expect(second.locator(".markdown")).to_contain_text("the first browser's line")


PAYLOAD = """\
<script>window.pwned = 1; alert(1); fetch('/pwned-script')</script>

<img id="bad-img" src="/static/web/wiki.css" onerror="window.pwned = 2; alert(2); fetch('/pwned-img')">

[markdown link](javascript:alert(3))

<a id="js-link" href="javascript:window.pwned=4;alert(4);fetch('/pwned-link')">html link</a>

<svg onload="alert(5)"><script>alert(6)</script></svg>
"""


def test_a_page_with_script_onerror_and_javascript_payloads_executes_nothing(server):
    base = server.url
    with chromium() as browser:
        page = browser.new_page()
        dialogs, errors, pwned_requests = [], [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: errors.append(f"{m.text} {m.location}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: pwned_requests.append(r.url) if "pwned" in r.url else None)
        register(page, base, "Mallory")
        page_id = create_page(page, base, unique("Payloads "), PAYLOAD)

        page.get_by_role("link", name="Edit").click()
        page.get_by_role("button", name="Preview").click()  # the preview swaps the same HTML in
        expect(page.locator("#preview-pane").get_by_text("html link")).to_be_visible()
        page.goto(f"{base}/pages/{page_id}/")
        body = page.locator(".markdown")
        expect(body.get_by_text("html link")).to_be_visible()
        expect(page.locator("#bad-img")).to_have_count(0)  # ids are not allowed through either
        page.locator(".markdown a", has_text="html link").click()
        page.wait_for_load_state("networkidle")

        assert body.locator("script, svg, iframe").count() == 0
        for attr in ("onerror", "onload", "onclick"):
            assert body.locator(f"[{attr}]").count() == 0
        assert body.locator("[href^='javascript' i]").count() == 0
        assert page.evaluate("window.pwned") is None
        assert (dialogs, pwned_requests, errors) == ([], [], [])


def test_presence_and_the_changed_notice_between_two_browsers(server):
    base = server.url
    with chromium() as browser:
        alice, bob = browser.new_context().new_page(), browser.new_context().new_page()
        register(alice, base, "Alice")
        register(bob, base, "Bob")
        page_id = create_page(alice, base, unique("Live "), "before")
        bob.goto(f"{base}/pages/{page_id}/")
        expect(bob.locator("#presence")).to_have_text(re.compile(r"Also viewing: .*Alice"))
        expect(alice.locator("#presence")).to_have_text(re.compile(r"Also viewing: .*Bob"))
        expect(bob.locator("#changed-notice")).to_be_hidden()

        alice.get_by_role("link", name="Edit").click()
        alice.get_by_label("Content").fill("after")
        alice.get_by_role("button", name="Save").click()
        notice = bob.locator("#changed-notice")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("changed")
        shot(bob, "wiki-changed-notice")
        notice.get_by_role("link", name="Reload").click()
        expect(bob.locator(".markdown")).to_have_text("after")


def test_anonymous_reads_public_pages_cannot_edit_and_team_pages_stay_private(server):
    base = server.url
    with chromium() as browser:
        owner, anon = browser.new_context().new_page(), browser.new_context().new_page()
        register(owner, base, "Owner")
        public_id = create_page(owner, base, unique("Public "), "for everyone")
        owner.goto(base + "/teams/")
        owner.get_by_label("Name").fill(unique("Team "))
        owner.get_by_role("button", name="Create team").click()
        owner.get_by_role("link", name="New page in this team").click()
        secret_title = unique("Secret ")
        owner.get_by_label("Title").fill(secret_title)
        owner.get_by_label("Content").fill("team only")
        owner.get_by_role("button", name="Save").click()
        expect(owner.get_by_role("heading", name=secret_title)).to_be_visible()
        secret_url = owner.url

        anon.goto(f"{base}/pages/{public_id}/")
        expect(anon.locator(".markdown")).to_have_text("for everyone")
        expect(anon.get_by_role("link", name="Edit")).to_have_count(0)
        expect(anon.get_by_role("link", name="Delete")).to_have_count(0)
        anon.goto(f"{base}/pages/{public_id}/edit/")
        expect(anon.get_by_role("button", name="Sign in")).to_be_visible()  # sent to sign in first

        response = anon.goto(secret_url)
        assert response.status == 403
        expect(anon.get_by_text("team only")).to_have_count(0)
        anon.get_by_role("main").get_by_role("link", name="Sign in").click()
        expect(anon.get_by_role("heading", name="Sign in")).to_be_visible()
        anon.goto(base + "/")
        expect(anon.get_by_role("link", name=secret_title)).to_have_count(0)
        assert anon.goto(f"{base}/pages/999999999/").status == 404
        expect(anon.get_by_role("heading", name="Page not found")).to_be_visible()
