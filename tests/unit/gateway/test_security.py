"""Password hashing, API token signing, CSRF comparison and the sliding-window rate limiter."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from services.gateway import security
from services.gateway.config import DEV_SECRET_KEY, GatewaySettings
from services.gateway.users import User, validate_user


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_password_is_stored_as_an_argon2id_hash_that_verifies_only_the_same_password():
    hashed = security.hash_password("correct horse")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert security.verify_password(hashed, "correct horse")
    assert not security.verify_password(hashed, "correct horsE")
    assert not security.verify_password("not a hash", "correct horse")


def test_a_password_shorter_than_eight_characters_is_refused():
    with pytest.raises(ValueError, match="8 characters or more"):
        security.hash_password("1234567")
    assert security.verify_password(security.hash_password("12345678"), "12345678")


def test_a_hash_made_with_weaker_parameters_needs_rehashing():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse")
    assert security.needs_rehash(weak)
    assert not security.needs_rehash(security.hash_password("correct horse"))


def test_a_password_is_hashed_at_owasps_argon2id_configuration_at_least():
    hashed = security.hash_password("correct horse")
    params = dict(p.split("=") for p in hashed.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    older_default = PasswordHasher().hash("correct horse")  # argon2-cffi's defaults, what earlier hashes used
    assert security.verify_password(older_default, "correct horse") and security.needs_rehash(older_default)


def test_a_token_names_its_user_until_it_expires(monkeypatch):
    signer = security.TokenSigner("k" * 40, max_age_s=60)
    token = signer.issue(42)
    assert signer.user_id(token) == 42
    import itsdangerous.timed as timed
    real = timed.time.time
    monkeypatch.setattr(timed.time, "time", lambda: real() + 61)
    assert signer.user_id(token) is None


def test_a_token_signed_with_another_key_or_tampered_is_refused():
    token = security.TokenSigner("a" * 40, max_age_s=60).issue(42)
    assert security.TokenSigner("b" * 40, max_age_s=60).user_id(token) is None
    signer = security.TokenSigner("a" * 40, max_age_s=60)
    assert signer.user_id(token.replace("42", "43", 1)) is None
    assert signer.user_id("") is None and signer.user_id("garbage") is None


def test_csrf_tokens_match_only_when_both_are_present_and_equal():
    token = security.new_csrf_token()
    assert security.csrf_matches(token, token)
    assert not security.csrf_matches(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not security.csrf_matches(token, None)
    assert not security.csrf_matches(None, token)
    assert not security.csrf_matches("", "")
    assert security.new_csrf_token() != token


def test_the_session_cookie_is_not_what_the_database_keeps():
    session_id = security.new_session_id()
    assert security.session_key(session_id) != session_id and len(security.session_key(session_id)) == 64


def test_the_rate_limiter_allows_the_limit_in_any_window_and_then_refuses():
    clock = Clock()
    limiter = security.RateLimiter(limit=3, window_s=60, clock=clock)
    assert [limiter.hit("ip|a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("ip|b")  # keys are independent
    assert limiter.retry_after("ip|a") == 61
    clock.now += 30
    assert not limiter.hit("ip|a")
    clock.now += 30.5  # the first three attempts have left the window
    assert limiter.hit("ip|a")


def test_the_rate_limiter_window_slides_rather_than_resetting():
    clock = Clock()
    limiter = security.RateLimiter(limit=2, window_s=10, clock=clock)
    assert limiter.hit("k")
    clock.now += 9
    assert limiter.hit("k")
    clock.now += 2  # first hit left the window, second has not
    assert limiter.hit("k")
    assert not limiter.hit("k")


def test_the_rate_limiter_forgets_idle_keys_when_full():
    clock = Clock()
    limiter = security.RateLimiter(limit=1, window_s=10, clock=clock, max_keys=2)
    limiter.hit("a")
    limiter.hit("b")
    clock.now += 11
    assert limiter.hit("c")
    assert set(limiter._hits) == {"c"}


def test_a_secret_key_is_required_unless_development_is_declared():
    with pytest.raises(ValueError, match="SECRET_KEY"):
        GatewaySettings(SECRET_KEY="").signing_key()
    with pytest.raises(ValueError, match="at least 32"):
        GatewaySettings(SECRET_KEY="short").signing_key()
    assert GatewaySettings(SECRET_KEY="", CLAIMFLOW_DEV=True).signing_key() == DEV_SECRET_KEY
    assert GatewaySettings(SECRET_KEY="x" * 32).signing_key() == "x" * 32


def test_cookies_are_secure_unless_on_a_development_machine():
    assert GatewaySettings().secure_cookies
    assert not GatewaySettings(CLAIMFLOW_DEV=True).secure_cookies
    assert GatewaySettings(CLAIMFLOW_DEV=True, GATEWAY_COOKIE_SECURE=True).secure_cookies


@pytest.mark.parametrize("role, school, trust, message", [
    ("admin", None, None, "Role must be one of"),
    ("school", None, None, "needs a school URN"),
    ("mat", None, None, "needs a trust id"),
    ("support", "100001", None, "does not belong to a school or trust"),
    ("school", "100001", "trust", "belongs to a school, not a trust"),
])
def test_a_user_belongs_to_the_organisation_its_role_needs(role, school, trust, message):
    with pytest.raises(ValueError, match=message):
        validate_user("a@example.com", "long enough", role, school, trust)


def test_the_actor_headers_carry_the_users_organisation():
    assert User(1, "h@s.example", "school", school_urn="100001").actor_headers == {
        "x-actor-email": "h@s.example", "x-actor-role": "school", "x-actor-school": "100001"}
    assert User(2, "c@t.example", "mat", trust_id="t").actor_headers["x-actor-trust"] == "t"


def test_a_provider_users_actor_headers_carry_its_provider_ids_from_the_user_record():
    assert User(2, "a@p.example", "provider", provider_ids=("p1", "p2")).actor_headers == {
        "x-actor-email": "a@p.example", "x-actor-role": "provider", "x-actor-providers": "p1,p2"}
    # none: the service then shows nothing, never everything
    assert User(3, "b@p.example", "provider").actor_headers["x-actor-providers"] == ""


def test_the_actor_headers_carry_the_users_name_percent_encoded_when_it_has_one():
    headers = User(4, "z@s.example", "school", school_urn="100001", name="Zoë Łukasiewicz").actor_headers
    assert headers["x-actor-name"] == "Zo%C3%AB %C5%81ukasiewicz"
    headers["x-actor-name"].encode("latin-1")  # a header value httpx can send
    assert "x-actor-name" not in User(5, "n@s.example", "school", school_urn="100001").actor_headers
