"""Which text searches the search words can count (repository ``_one_word``), and why that is exact:
a term without a space occurs in a text exactly when it occurs in one of the text's space-separated
words. (The integration tests check the same against PostgreSQL's ILIKE and lower().)"""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.claims.repository import _one_word
from shared.platform.db import containing

ALPHABET = list("ab  Aé'%_\\;-1\t")  # space twice: runs of spaces too


@given(text=st.text(ALPHABET, max_size=30), term=st.text(ALPHABET, min_size=1, max_size=5))
def test_a_term_without_a_space_occurs_in_a_text_exactly_when_it_occurs_in_one_of_its_words(text, term):
    if _one_word(term):
        words = [w for w in text.split(" ") if w]
        assert (term in text) == any(term in w for w in words)


def test_only_non_empty_terms_without_a_space_are_one_word():
    assert _one_word("Adeyemi") and _one_word("O'Brien") and _one_word("100%") and _one_word("tab\tinside")
    assert not _one_word("") and not _one_word("Hackney Primary") and not _one_word("a b")


def test_like_wildcards_typed_by_the_user_are_escaped():
    assert containing("100%_\\") == "%100\\%\\_\\\\%"
