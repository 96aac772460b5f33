"""The language switch: Bahasa Indonesia by default, English on request, and back."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from cc112.web import i18n
from tests.web.conftest import UI, LiveServer

CATALOG = i18n.LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
LOGIN_STRINGS = ("Masuk ke Command Center", "Nama pengguna", "Kata sandi", "Masuk")


def test_language_switch_turns_the_login_page_to_english_and_back(ui: UI, live_server: LiveServer) -> None:
    page = ui.page("anonymous", live_server.url)
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_contain_text("Masuk ke Command Center")
    expect(page.locator("button[type=submit]")).to_have_text("Masuk")

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile("/login$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Bahasa Indonesia")).to_be_visible()
    if CATALOG.exists():  # the English catalogue may be incomplete, but it covers the login page
        english = i18n.catalog("en")
        translated = {msgid: english[msgid] for msgid in LOGIN_STRINGS if english.get(msgid)}
        assert translated, f"{CATALOG} translates none of the login page's texts"
        body = page.locator("body")
        for text in translated.values():
            expect(body).to_contain_text(text)

    # The choice is kept on the next page.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page).to_have_url(re.compile("/login$"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_contain_text("Masuk ke Command Center")
    expect(page.locator("button[type=submit]")).to_have_text("Masuk")
    ui.assert_clean()
