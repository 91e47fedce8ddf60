"""Every email template, filled with exact values (issue 6), and the rules for filling them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.notify.app import load_catalogue
from services.notify.domain.templates import Template, TemplateError, format_value
from shared.contracts.notify import NOTIFY_TEMPLATES

SERVICE_WIDE = {"product_name": "Claim funding for mentor training",
                "support_email": "ittmentor.funding@education.gov.uk"}
LINK = "https://claimflow.example/links/Qx7vT2"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "design.md"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_provider_sampling_request_names_the_provider_the_claim_count_the_link_and_both_dates(catalogue):
    email = catalogue.render("provider_sampling_request", {
        "provider_name": "Best Practice Network", "claim_count": "3", "link": LINK,
        "link_expires_on": "2026-11-30", "completion_date": "2026-12-14"}, SERVICE_WIDE)
    assert email.subject == "ITT mentor claims need to be audited by 14 December 2026"
    assert email.body == f"""Best Practice Network,

The Department for Education (DfE) needs you to audit 3 claims for initial teacher training (ITT) general mentor funding from schools you worked with.

# You must audit the claims by 14 December 2026

If you do not send us your answers by 11:59pm on 14 December 2026, we may remove funding from the schools you worked with.

# What you need to do

1. Download the list of claims from this link:

{LINK}

The link works once and expires on 30 November 2026. If it has expired or has already been used, reply to this email and we will send you a new one.

2. For each mentor, fill in the ‘claim_assured’ column with yes or no. If you answer no, give the reason in the ‘claim_not_assured_reason’ column.

3. Reply to this email and attach the completed file.

# Contact us

If you need help, contact the team at ittmentor.funding@education.gov.uk.

Claim funding for mentor training team
"""


def test_provider_sampling_link_resend_gives_the_new_link_and_says_old_links_no_longer_work(catalogue):
    email = catalogue.render("provider_sampling_link_resend", {
        "provider_name": "Teach First", "link": LINK, "link_expires_on": "2026-12-07",
        "completion_date": "2026-12-14"}, SERVICE_WIDE)
    assert email.subject == "New link: ITT mentor claims to audit by 14 December 2026"
    assert email.body == f"""Teach First,

Here is a new link to download the claims you need to audit for initial teacher training (ITT) general mentor funding:

{LINK}

The link works once and expires on 7 December 2026. Any link we sent you before no longer works.

You still need to send us your answers by 11:59pm on 14 December 2026. Reply to this email and attach the completed file.

# Contact us

If you need help, contact the team at ittmentor.funding@education.gov.uk.

Claim funding for mentor training team
"""


def test_provider_sampling_reminder_counts_one_claim_in_the_singular(catalogue):
    email = catalogue.render("provider_sampling_reminder", {
        "provider_name": "Best Practice Network", "claim_count": "1", "completion_date": "2027-01-04"},
        SERVICE_WIDE)
    assert email.subject == "Reminder: ITT mentor claims must be audited by 4 January 2027"
    assert email.body == """Best Practice Network,

This is a reminder that you still have 1 claim for initial teacher training (ITT) general mentor funding waiting to be audited.

# You must audit the claims by 4 January 2027

If you do not send us your answers by 11:59pm on 4 January 2027, we may remove funding from the schools you worked with.

Use the link in the first email we sent you to download the claims. If the link has expired or has already been used, reply to this email and we will send you a new one.

# Contact us

If you need help, contact the team at ittmentor.funding@education.gov.uk.

Claim funding for mentor training team
"""


def test_school_is_told_the_provider_indicated_an_invalid_claim_with_the_providers_words(catalogue):
    email = catalogue.render("school_claim_not_assured", {
        "school_name": "Hackney Primary", "claim_reference": "12345678", "provider_name": "Best Practice Network",
        "provider_comment": "Ada Lovelace: not known to us"}, SERVICE_WIDE)
    assert email.subject == "Your claim 12345678 could not be confirmed by Best Practice Network"
    assert email.body == """Hackney Primary,

We asked Best Practice Network to check your claim for initial teacher training (ITT) general mentor funding. They have told us that some or all of the claim is not valid.

Claim reference: 12345678

What the provider told us:

Ada Lovelace: not known to us

# What happens next

The Department for Education will review the claim. If we agree with the provider, some or all of your funding may be taken back, and we will email you with the amount.

If you think the provider is wrong, speak to them first, then contact the team at ittmentor.funding@education.gov.uk.

Claim funding for mentor training team
"""


def test_school_is_told_its_funding_will_be_taken_back_with_the_amount_in_pounds(catalogue):
    email = catalogue.render("school_clawback_requested", {
        "school_name": "Leeds High", "claim_reference": "87654321", "clawback_amount": "1072.5"}, SERVICE_WIDE)
    assert email.subject == "Your funding for mentor training will be taken back"
    assert email.body == """Leeds High,

Your claim for initial teacher training (ITT) general mentor funding was audited, and there was not enough evidence that all of it was valid. Some or all of the funding will be taken back and returned to the Department for Education. This is known as a clawback.

Claim reference: 87654321
Amount being taken back: £1,072.50

# What happens next

The money will be taken back automatically. For academies, it will be taken from your next available monthly payment. For maintained schools, it will be taken from your local authority’s next available monthly payment, and your local authority will recover it from you in the usual way.

# Contact us

If you need help, contact the team at ittmentor.funding@education.gov.uk.

Claim funding for mentor training team
"""


def test_payer_is_told_claims_are_ready_for_payment_with_the_csv_link(catalogue):
    email = catalogue.render("payer_claims_ready_for_payment", {
        "claim_count": "42", "link": LINK, "link_expires_on": "2026-11-30"}, SERVICE_WIDE)
    assert email.subject == "Claims ready for payment - Claim funding for mentor training"
    assert email.body == f"""Hello,

42 claims for ITT mentor training funding are ready for payment. Download the CSV file from this link:

{LINK}

The link works once and expires on 30 November 2026.

# What you need to do

1. Pay the claims in the file.

2. In the ‘claim_status’ column, mark each claim ‘paid’ or ‘unpaid’. If a claim is unpaid, give the reason in the ‘claim_unpaid_reason’ column.

3. Reply to this email and attach the updated CSV file.

If the link has expired or has already been used, reply to this email and we will send it again.

Claim funding for mentor training team
"""


def test_payer_is_told_claims_are_ready_for_clawback_with_the_csv_link(catalogue):
    email = catalogue.render("payer_claims_ready_for_clawback", {
        "claim_count": "2", "link": LINK, "link_expires_on": "2026-12-01"}, SERVICE_WIDE)
    assert email.subject == "Claims ready for clawback - Claim funding for mentor training"
    assert email.body == f"""Hello,

2 claims for ITT mentor training funding need money to be taken back (clawed back). Download the CSV file from this link:

{LINK}

The link works once and expires on 1 December 2026.

# What you need to do

1. Take back the amount in the ‘clawback_amount’ column for each claim.

2. In the ‘claim_status’ column, mark each claim ‘clawback_complete’, or ‘clawback_in_progress’ if it is not finished yet.

3. Reply to this email and attach the updated CSV file.

If the link has expired or has already been used, reply to this email and we will send it again.

Claim funding for mentor training team
"""


def test_the_template_files_ask_for_exactly_the_keys_the_shared_contract_lists(catalogue):
    assert set(catalogue.names()) == set(NOTIFY_TEMPLATES)
    for name, keys in NOTIFY_TEMPLATES.items():
        assert set(catalogue.get(name).required) == set(keys), name


def test_the_docs_table_lists_every_template_with_its_keys(catalogue):
    section = DOCS.read_text(encoding="utf-8").split("## 6. Notifications", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\s*\| `(\w+)` \| ([^|]+) \|", section, re.M))
    assert set(rows) == set(catalogue.names())
    for name, cell in rows.items():
        assert set(re.findall(r"`(\w+)`", cell)) == set(catalogue.get(name).required), name


def test_missing_and_malformed_values_are_all_reported_at_once(catalogue):
    with pytest.raises(TemplateError) as refused:
        catalogue.render("provider_sampling_request", {
            "provider_name": "  ", "claim_count": "three", "link": "ftp://x", "completion_date": "14/12/2026"},
            SERVICE_WIDE)
    message = str(refused.value)
    assert "'provider_name' is missing" in message
    assert "'link_expires_on' is missing" in message
    assert "'claim_count' must be a whole number, not 'three'" in message
    assert "'link' must be a web address" in message
    assert "'completion_date' must be a date like 2026-12-14, not '14/12/2026'" in message


def test_an_unknown_template_is_refused_with_the_known_names(catalogue):
    with pytest.raises(TemplateError, match="unknown template 'nope'.*payer_claims_ready_for_payment"):
        catalogue.render("nope", {}, SERVICE_WIDE)


def test_extra_values_are_ignored_and_service_wide_values_cannot_be_overridden_by_senders():
    template = Template.parse("t", "Subject: Hi ((name))\n\nWrite to ((support_email)).\n")
    assert template.required == ("name",)
    email = template.render({"name": "Ada", "unused": "x", "support_email": "evil@example.com"},
                            {"support_email": "help@example.gov.uk"})
    assert (email.subject, email.body) == ("Hi Ada", "Write to help@example.gov.uk.\n")


@pytest.mark.parametrize("key, raw, shown", [
    ("clawback_amount", "876", "£876.00"),
    ("clawback_amount", "1072.00", "£1,072.00"),
    ("clawback_amount", "12345.6", "£12,345.60"),
    ("completion_date", "2026-12-01", "1 December 2026"),
    ("link_expires_on", "2027-01-04", "4 January 2027"),
    ("claim_count", "0", "0 claims"),
    ("mentor_count", "1", "1 mentor"),
    ("provider_name", "Best Practice Network", "Best Practice Network"),
])
def test_values_are_shown_the_way_the_service_shows_them(key, raw, shown):
    assert format_value(key, raw) == shown


@pytest.mark.parametrize("raw", ["1.234", "-5", "NaN", "£"])
def test_an_amount_that_is_not_pounds_and_pence_is_refused(raw):
    with pytest.raises(ValueError):
        format_value("clawback_amount", raw)


def test_a_template_file_must_start_with_its_subject():
    with pytest.raises(TemplateError, match="must start with a 'Subject:' line"):
        Template.parse("bad", "Hello ((name))\n")


def test_school_is_reminded_weekly_of_claims_its_provider_did_not_confirm(catalogue):
    email = catalogue.render("school_sampling_reminder", {
        "school_name": "Hackney Primary", "claim_count": "2", "claim_references": "12345678, 23456789",
        "provider_name": "Best Practice Network"}, SERVICE_WIDE)
    assert email.subject == "Reminder: 2 claims could not be confirmed by Best Practice Network"
    assert "Claim reference: 12345678, 23456789" in email.body
    assert "Contact Best Practice Network to check the mentors and the hours on the claim." in email.body
    assert "contact the team at ittmentor.funding@education.gov.uk" in email.body
