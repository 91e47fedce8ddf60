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


def test_an_image_without_alternative_text_fails_naming_the_rule_its_impact_help_and_node(blank):
    message = failure(blank, html('<h1>Claims</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'))
    assert "made-up page" in message
    assert "1 axe-core violation(s)" in message
    assert "- image-alt (critical): Images must have alternative text" in message
    assert "    img: <img src=" in message


def test_low_contrast_text_fails_so_the_wcag_aa_rules_are_run(blank):
    message = failure(blank, html('<h1>Claims</h1><p style="color:#aaaaaa;background:#ffffff">Pale text</p>'))
    assert "- color-contrast (serious): Elements must meet minimum color contrast ratio thresholds" in message


def test_form_controls_without_a_label_fail(blank):
    message = failure(blank, html('<h1>Claims</h1><input id="q" type="text">'))
    assert "label (critical)" in message
    assert "no label for q" in message


def test_two_h1s_fail(blank):
    message = failure(blank, html("<h1>Claims</h1><h1>Sampling</h1>"))
    assert "expected exactly one h1, found 2" in message


def test_a_title_that_does_not_start_with_the_h1_fails(blank):
    message = failure(blank, html("<h1>Sampling</h1>"))
    assert ("the title is 'Claims – Claim funding for mentor training – GOV.UK', "
            "expected 'Sampling – Claim funding for mentor training – GOV.UK'") in message


def test_a_page_with_an_error_summary_needs_error_first_in_its_title(blank):
    summary = ('<div class="govuk-error-summary" tabindex="-1"><h2>There is a problem</h2>'
               '<ul><li><a href="#q">Enter a search term</a></li></ul></div>')
    message = failure(blank, html(f'{summary}<h1>Claims</h1><label for="q">Search</label><input id="q">'))
    assert "expected 'Error: Claims – Claim funding for mentor training – GOV.UK'" in message


def test_a_status_tag_in_the_h1_is_left_out_of_the_title(blank):
    blank.set_content(html('<h1>Claims <strong class="govuk-tag">Paid</strong></h1>'))
    assert_accessible(blank, "made-up page")
