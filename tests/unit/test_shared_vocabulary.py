"""One vocabulary: the claim statuses, their labels, groups and transitions, the role names and the
identifier checks are written once in ``shared/contracts``; these tests fail when a service, the
gateway or the command line writes its own copy again.

The scans read the source (Python by its syntax tree, templates by their text), outside
``shared/contracts`` and the migrations (which record the schema as it was)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shared.contracts import claim_status as cs
from shared.contracts import identifiers as ids
from shared.contracts import roles

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("services", "shared", "claimflow")
VOCABULARY = {ROOT / "shared/contracts/claim_status.py", ROOT / "shared/contracts/identifiers.py",
              ROOT / "shared/contracts/roles.py"}
STATUSES = set(cs.STATUSES)


def _sources(suffix: str) -> list[Path]:
    return sorted(p for top in SCANNED for p in (ROOT / top).rglob(f"*{suffix}")
                  if "migrations" not in p.parts and p not in VOCABULARY)


def _python() -> list[tuple[str, ast.AST]]:
    return [(str(p.relative_to(ROOT)), ast.parse(p.read_text(encoding="utf-8"))) for p in _sources(".py")]


PYTHON = _python()
#: ECF declarations and statements have their own states ("submitted", "eligible", "payable", "paid").
CLAIM_PYTHON = [(path, tree) for path, tree in PYTHON if not path.startswith("services/payments/ecf/")]
TEMPLATES = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in _sources(".html")]


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _is_status(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in STATUSES


# ------------------------------------------------------------------ the vocabulary itself
def test_every_status_has_a_label_for_support_providers_and_schools_and_an_explanation_for_schools():
    for labels in (cs.SUPPORT_LABELS, cs.PROVIDER_LABELS, cs.SCHOOL_LABELS, cs.SCHOOL_EXPLANATIONS):
        assert set(labels) == STATUSES
    assert len(STATUSES) == 16


def test_providers_see_their_own_words_for_the_audit_and_approved_for_a_claim_paid_after_one():
    assert cs.provider_label("sampling_in_progress") == "Audit requested"
    assert cs.provider_label("sampling_provider_not_approved") == "Amended"
    assert cs.provider_label("paid", audited=True) == "Approved"
    assert cs.provider_label("paid") == cs.support_label("paid") == "Paid"
    assert cs.provider_label("payment_in_progress") == "Payment in progress"


def test_schools_are_told_what_a_paid_claim_means_in_plain_words():
    assert cs.school_explanation("paid") == "Paid: the payer has paid this claim. It may still be chosen for audit."
    assert all(text.startswith(cs.school_label(status) + ":") for status, text in cs.SCHOOL_EXPLANATIONS.items())
    assert cs.school_label("payment_information_requested") == "Payment in progress"


def test_the_transition_table_has_the_seventeen_triggers_of_the_design_and_moves_only_between_statuses():
    assert len(cs.TRANSITIONS) == len(cs.Trigger) == 19
    assert sum(len(moves) for moves in cs.TRANSITIONS.values()) == 24  # §12: support approves in sampling
    for moves in cs.TRANSITIONS.values():
        assert set(moves) <= STATUSES and set(moves.values()) <= STATUSES
        assert all(type(s) is str for pair in moves.items() for s in pair)  # plain str into SQL and JSON


def test_the_groups_hold_known_statuses():
    for group in (cs.SAMPLING_WAITING, cs.SAMPLEABLE, cs.PAYER_QUERIES, cs.CLAWBACK_QUEUE,
                  cs.NOT_COUNTED_FOR_HOURS, cs.PROVIDER_VISIBLE, (cs.PAYABLE, cs.CLAWBACK_WITH_PAYER)):
        assert group and set(group) <= STATUSES


# ------------------------------------------------------------------ no copies elsewhere
def _labels() -> set[str]:
    """Every label and explanation of more than one word (one word, like "Paid", is too common to scan)."""
    words = {*cs.SUPPORT_LABELS.values(), *cs.PROVIDER_LABELS.values(), *cs.SCHOOL_LABELS.values(),
             *cs.SCHOOL_EXPLANATIONS.values()}
    return {w for w in words if " " in w}


def test_no_service_module_spells_a_status_label():
    labels = _labels()
    found = [(path, s) for path, tree in PYTHON for s in _strings(tree) if s.strip() in labels]
    assert found == []


def test_no_template_spells_a_status_label():
    found = [(path, label) for path, text in TEMPLATES for label in _labels()
             if re.search(rf'>\s*{re.escape(label)}\s*<|["\']{re.escape(label)}["\']', text)]
    assert found == []


def test_no_service_module_writes_a_transition_between_two_statuses():
    """A dict entry "from status": "to status" is a copy of the transition table."""
    found = [(path, k.value, v.value) for path, tree in CLAIM_PYTHON for node in ast.walk(tree)
             if isinstance(node, ast.Dict) for k, v in zip(node.keys, node.values)
             if _is_status(k) and _is_status(v) and k.value != v.value]
    assert found == []


def test_no_service_module_or_template_lists_a_group_of_statuses_itself():
    """Two or more statuses in one literal list, tuple or set is a copy of a shared group."""
    found = [(path, [e.value for e in node.elts]) for path, tree in CLAIM_PYTHON for node in ast.walk(tree)
             if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and sum(map(_is_status, node.elts)) >= 2]
    pair = "|".join(map(re.escape, sorted(STATUSES)))
    found += [(path, match) for path, text in TEMPLATES
              for match in re.findall(rf'[(\[]\s*["\'](?:{pair})["\']\s*,\s*["\'](?:{pair})["\']', text)]
    assert found == []


def test_the_scans_find_a_copy_when_there_is_one():
    tree = ast.parse('LABELS = {"payment_information_requested": "Payer needs information"}\n'
                     'MOVES = {"submitted": "payment_in_progress"}\nWAITING = ("paid", "draft")\n'
                     'ok = user.role == "support"\n')
    assert "Payer needs information" in _labels() & set(_strings(tree))
    assert any(_is_status(k) and _is_status(v) for n in ast.walk(tree) if isinstance(n, ast.Dict)
               for k, v in zip(n.keys, n.values))
    assert _role_literals("example.py", tree) == [("example.py", 4, "support")]


# ------------------------------------------------------------------ role names
ROLE_NAMES = {roles.SUPPORT, roles.SCHOOL, roles.MAT, roles.FINANCE, roles.PROVIDER, roles.LEAD_PROVIDER,
              roles.SYSTEM}


def _role_literals(path: str, tree: ast.AST) -> list[tuple[str, int, str]]:
    """Role names written as literals where a role is decided: ``x.role == "support"``,
    ``role in ("school", "mat")``, ``api_role("finance")``, ``page_role(...)``, ``role="provider"``,
    ``Header(default="system")`` for a role header."""
    found = []

    def names(node: ast.AST) -> list[str]:
        return [s for s in _strings(node) if s in ROLE_NAMES]

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, (ast.Name, ast.Attribute)) and (getattr(s, "id", None) or s.attr).endswith("role")
                   for s in sides):
                found += [(path, node.lineno, n) for s in sides for n in names(s)]
        elif isinstance(node, ast.Call):
            func = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if func in ("api_role", "page_role"):
                found += [(path, node.lineno, n) for a in node.args for n in names(a)]
            found += [(path, node.lineno, n) for k in node.keywords if k.arg == "role" for n in names(k.value)]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = [*node.args.args, *node.args.kwonlyargs]
            defaults = [*node.args.defaults, *node.args.kw_defaults]
            for arg, default in zip(arguments[len(arguments) - len(defaults):], defaults):
                if arg.arg.endswith("role") and default is not None:
                    found += [(path, node.lineno, n) for n in names(default)]
    return found


def test_no_service_module_spells_a_role_name_where_it_decides_on_a_role():
    assert [hit for path, tree in PYTHON for hit in _role_literals(path, tree)] == []


def test_the_users_table_allows_exactly_the_user_roles():
    from services.gateway.tables import users

    check = next(c for c in users.constraints if getattr(c, "name", None) == "ck_users_role")
    assert str(check.sqltext) == "role IN ('support', 'school', 'mat', 'finance', 'provider')"
    assert roles.USER_ROLES == ("support", "school", "mat", "finance", "provider")


# ------------------------------------------------------------------ digits 0-9 only
OTHER_DIGITS = ["１２３４５６７", "١٢٣٤٥٦٧", "۱۲۳۴۵۶۷", "१२३४५६७"]  # full-width, Arabic-Indic, Persian, Devanagari


@pytest.mark.parametrize("trn", OTHER_DIGITS)
def test_a_trn_in_other_digits_is_not_a_trn_and_is_told_to_use_0_to_9(trn):
    assert trn.isdigit() and re.fullmatch(r"\d{7}", trn)  # what the old checks accepted
    assert not ids.is_trn(trn)
    assert ids.trn_error(trn) == "Enter the teacher reference number (TRN) using the digits 0 to 9"


def test_references_urns_trns_and_ids_accept_ascii_only():
    assert ids.is_reference("00123456") and not ids.is_reference("００１２３４５６") and not ids.is_reference("1234567")
    assert ids.reference_error("٠٠١٢٣٤٥٦") == "Enter the claim reference using the digits 0 to 9"
    assert ids.is_urn("100001") and not ids.is_urn("１０００٠１") and not ids.is_urn("10001")
    assert ids.urn_error("100") == "Enter a school URN that is 6 digits long"
    assert ids.is_trn("1234567") and ids.trn_error("123456") == "Enter a teacher reference number (TRN) that is 7 digits long"
    assert not ids.is_trn("1234567\n")
    assert ids.is_id("2f1e-ab_C9") and not ids.is_id("") and not ids.is_id("x" * 101)
    assert not ids.is_id("ａｂｃ") and not ids.is_id("é") and not ids.is_id("a/b")
    assert ids.pad_reference("123456") == "00123456" and ids.pad_reference("١٢٣") == "١٢٣"


def test_an_email_address_is_something_at_something_dot_something_without_spaces():
    """The one check of the users form and CSV, accredited providers' and lead providers' addresses,
    the command line and the email sender."""
    for good in ("name@example.com", "first.last+tag@school.sch.uk", "a@b.c", "x" * 308 + "@example.com"):
        assert ids.is_email_address(good) and ids.email_error(good) is None, good
    for bad in ("", "name", "name@", "@example.com", "name@example", "name@example.", "a b@example.com",
                "a@b@example.com", "x" * 309 + "@example.com", "name@example.com\n"):
        assert ids.email_error(bad) == "Enter an email address in the correct format, like name@example.com", bad


def test_no_service_module_checks_digits_with_unicode_aware_python():
    """``isdigit``/``isdecimal``/``isnumeric`` and ``\\d`` accept every script's digits; checks use
    ``shared.contracts.identifiers`` or ``[0-9]``. Money patterns are checked by the money parser."""
    money_pattern = r"^-?\d+(\.\d{1,2})?$"
    found = [(path, node.lineno, node.func.attr) for path, tree in PYTHON for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in ("isdigit", "isdecimal", "isnumeric")]
    found += [(path, s) for path, tree in PYTHON for s in _strings(tree) if "\\d" in s and s != money_pattern]
    assert found == []
