"""Public download links through the running gateway: a good link shows the download page and its
button downloads once; unknown, used, expired and replaced links answer 410 at once with the page
that fits, whether opened in a browser or sent by the download button."""
from __future__ import annotations

import re

from tests.support.system import running_system

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PAGES = {
    "unknown": "This link is not valid",
    "used": "This link has already been used",
    "expired": "This link has expired",
    "revoked": "This link has been replaced",
}
TOKENS = {"unknown": ["sampling-never-issued", "payments-never-issued", "nobody-abc", "not a token"],
          "used": ["sampling-used"], "expired": ["payments-expired"], "revoked": ["sampling-replaced"]}


def heading(html: str) -> str:
    return re.search(r'<h1 class="govuk-heading-l">([^<]+)</h1>', html).group(1)


async def test_unknown_used_expired_and_replaced_links_answer_410_at_once_with_the_page_that_fits(infra):
    async with running_system(infra) as system:
        browser = await system.browser()
        browser.headers.update(BROWSER)
        good = await browser.get("/links/sampling-good")  # a CSRF cookie for the button's form
        token = re.search(r'name="csrf_token" value="([^"]+)"', good.text).group(1)
        for reason, tokens in TOKENS.items():
            for link in tokens:
                opened = await browser.get(f"/links/{link}")
                assert opened.status_code == 410, (link, opened.text[:200])
                assert heading(opened.text) == PAGES[reason], link
                assert "get a new link" in opened.text and "Download CSV file" not in opened.text
                pressed = await browser.post(f"/links/{link}", data={"csrf_token": token})
                assert pressed.status_code == 410 and heading(pressed.text) == PAGES[reason], link
        assert all(call[1] != "sampling-good" for call in system.stub.state.calls if call[0] == "link")
        await browser.aclose()


async def test_a_good_link_shows_the_download_page_and_its_button_downloads_the_file_once(infra):
    async with running_system(infra) as system:
        browser = await system.browser()
        browser.headers.update(BROWSER)
        page = await browser.get("/links/payments-good")
        assert page.status_code == 200 and heading(page.text) == "Download your file"
        assert 'action="/links/payments-good"' in page.text and 'method="post"' in page.text
        assert ("link", "payments-good") not in system.stub.state.calls  # opening the page spends nothing
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = await browser.post("/links/payments-good", data={"csrf_token": token})
        assert r.status_code == 200 and r.text == "claim_reference\n12345678\n"
        assert r.headers["content-disposition"] == 'attachment; filename="claims.csv"'
        again = await browser.get("/links/payments-good")
        assert again.status_code == 410 and heading(again.text) == PAGES["used"]
        r = await browser.post("/links/payments-good", data={"csrf_token": "forged"})
        assert r.status_code == 403  # the button's form carries the CSRF token like every form
        await browser.aclose()
