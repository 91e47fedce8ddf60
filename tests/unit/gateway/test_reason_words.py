"""Reasons travel as "code: details" text (shared.contracts.reasons); pages show them in words."""
from services.gateway.web.templating import comment_words, reason_words


def test_a_coded_reason_is_shown_by_its_label_and_free_text_as_it_is():
    assert reason_words("hours_not_completed: Attended 3 of 5") == ("The mentor did not complete the hours claimed: "
                                                                    "Attended 3 of 5")
    assert reason_words("no_record_of_mentor") == "The provider has no record of this mentor"
    assert reason_words("other: Left the school") == "Left the school"
    assert reason_words("Note: not on our list") == "Note: not on our list"
    assert reason_words(None) == ""


def test_a_providers_comment_shows_each_mentors_reason_in_words():
    assert comment_words("Jane Doe: claimed_elsewhere\nJohn Smith: The mentor did not attend") == (
        "Jane Doe: This training has been claimed on another claim\nJohn Smith: The mentor did not attend")
