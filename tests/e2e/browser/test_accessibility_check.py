"""The accessibility check itself (``assert_accessible``), on pages written here with
``set_content``, so it is known to fail on each kind of problem it claims to find and to pass on a
page without one: a check that cannot fail would let every page through."""
from __future__ import annotations

import pytest

from tests.support.browser import assert_accessible

TITLE = "Claims – Claim funding for mentor training – GOV.UK"


def html(body: str, title: str = TITLE) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><main id="main-content">{body}</main></body></html>')


@pytest.fixture
def blank(chromium):
    context = chromium.new_context()
    yield context.new_page()
    context.close()


def failure(page, content: str) -> str:
    page.set_content(content)
    with pytest.raises(AssertionError) as raised:
        assert_accessible(page, "made-up page")
    return str(raised.value)


def test_a_page_with_one_h1_the_right_title_and_no_violation_passes(blank):
    blank.set_content(html('<h1>Claims</h1><p>There are 3 claims.</p>'
                           '<label for="q">Search</label><input id="q" name="q" type="text">'))
    assert_accessible(blank, "made-up page")


ERROR_SUMMARY = ('<div class="govuk-error-summary" tabindex="-1"><h2>There is a problem</h2>'
                 '<ul><li><a href="#q">Enter a search term</a></li></ul></div>')


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param('<h1>Claims</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">',
                 ["made-up page", "1 axe-core violation(s)",
                  "- image-alt (critical): Images must have alternative text", "    img: <img src="],
                 id="an image without alternative text, naming the rule, its impact, help and node"),
    pytest.param('<h1>Claims</h1><p style="color:#aaaaaa;background:#ffffff">Pale text</p>',
                 ["- color-contrast (serious): Elements must meet minimum color contrast ratio thresholds"],
                 id="low contrast text, so the WCAG AA rules are run"),
    pytest.param('<h1>Claims</h1><input id="q" type="text">', ["label (critical)", "no label for q"],
                 id="a form control without a label"),
    pytest.param("<h1>Claims</h1><h1>Sampling</h1>", ["expected exactly one h1, found 2"], id="two h1s"),
    pytest.param("<h1>Sampling</h1>",
                 ["the title is 'Claims – Claim funding for mentor training – GOV.UK', "
                  "expected 'Sampling – Claim funding for mentor training – GOV.UK'"],
                 id="a title that does not start with the h1"),
    pytest.param(f'{ERROR_SUMMARY}<h1>Claims</h1><label for="q">Search</label><input id="q">',
                 ["expected 'Error: Claims – Claim funding for mentor training – GOV.UK'"],
                 id="an error summary without Error first in the title"),
])
def test_a_page_with_a_problem_fails_naming_it(blank, body, expected):
    message = failure(blank, html(body))
    for text in expected:
        assert text in message


def test_a_status_tag_in_the_h1_is_left_out_of_the_title(blank):
    blank.set_content(html('<h1>Claims <strong class="govuk-tag">Paid</strong></h1>'))
    assert_accessible(blank, "made-up page")
