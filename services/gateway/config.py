"""Gateway settings (environment variables; built in the composition root, never at import).

Secret key policy: ``SECRET_KEY`` signs API tokens and session cookies. It is required (at least
32 characters) whenever the app is built, except when ``CLAIMFLOW_DEV=1`` explicitly marks a
development machine, where a fixed, well-known development key is used and a warning is logged.
The check happens in ``create_app`` rather than here so that commands which only touch the
database (``claimflow users add``) work without a key.
"""
from __future__ import annotations

from pydantic import Field

from shared.platform.settings import ServiceSettings

DEV_SECRET_KEY = "claimflow-development-secret-key-not-for-production"


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    #: The gateway consumes no events, but its outbox relay carries invitation emails to notify.
    run_messaging: bool = True
    database_url: str = Field(default="postgresql+asyncpg://postgres@127.0.0.1:5432/claimflow_gateway",
                              validation_alias="GATEWAY_DATABASE_URL")
    http_port: int = Field(default=8000, validation_alias="GATEWAY_PORT")

    secret_key: str = Field(default="", validation_alias="SECRET_KEY")
    dev_mode: bool = Field(default=False, validation_alias="CLAIMFLOW_DEV")

    claims_url: str = Field(default="http://127.0.0.1:8101", validation_alias="CLAIMS_URL")
    sampling_url: str = Field(default="http://127.0.0.1:8102", validation_alias="SAMPLING_URL")
    payments_url: str = Field(default="http://127.0.0.1:8103", validation_alias="PAYMENTS_URL")
    notify_url: str = Field(default="http://127.0.0.1:8104", validation_alias="NOTIFY_URL")
    #: Seconds to wait for a downstream service before answering 503.
    downstream_timeout_s: float = Field(default=30.0, validation_alias="GATEWAY_DOWNSTREAM_TIMEOUT_S")

    #: API tokens (``POST /api/v1/auth/token``) and browser sessions expire after this many seconds.
    token_max_age_s: int = Field(default=8 * 3600, validation_alias="GATEWAY_TOKEN_MAX_AGE_S")
    session_max_age_s: int = Field(default=8 * 3600, validation_alias="GATEWAY_SESSION_MAX_AGE_S")
    #: An API token's user is re-read from the database at most this many seconds after the last
    #: read (0: every request), so removing a user or changing a role takes effect within it.
    user_cache_s: float = Field(default=5.0, ge=0, le=60, validation_alias="GATEWAY_USER_CACHE_S")
    #: ``Secure`` flag on the session cookie and HSTS; default on, off only on a dev machine.
    cookie_secure: bool | None = Field(default=None, validation_alias="GATEWAY_COOKIE_SECURE")

    #: Sign-in attempts allowed per IP address and email address in the window (API and page alike).
    sign_in_rate_limit: int = Field(default=10, validation_alias="GATEWAY_SIGN_IN_RATE_LIMIT")
    sign_in_rate_window_s: float = Field(default=300.0, validation_alias="GATEWAY_SIGN_IN_RATE_WINDOW_S")
    #: Failed sign-ins allowed per IP address in the same window, whatever the email addresses
    #: (one client trying one password on many addresses). Successful sign-ins are not counted, so
    #: an office behind one address is not locked out by its own people signing in.
    sign_in_client_rate_limit: int = Field(default=20, validation_alias="GATEWAY_SIGN_IN_CLIENT_RATE_LIMIT")
    #: Requests for public download links allowed per IP address in the window.
    link_rate_limit: int = Field(default=30, validation_alias="GATEWAY_LINK_RATE_LIMIT")
    link_rate_window_s: float = Field(default=60.0, validation_alias="GATEWAY_LINK_RATE_WINDOW_S")

    #: Where people reach the gateway: invitation links are ``<this>/invitations/<token>``.
    public_base_url: str = Field(default="http://127.0.0.1:8000", validation_alias="PUBLIC_BASE_URL")
    #: How long an invitation's set-password link works.
    invitation_lifetime_hours: int = Field(default=72, ge=1, le=24 * 30, validation_alias="GATEWAY_INVITATION_LIFETIME_HOURS")

    #: DfE Sign-in (OpenID Connect): offered on the sign-in page when all three are set.
    oidc_issuer: str = Field(default="", validation_alias="OIDC_ISSUER")
    oidc_client_id: str = Field(default="", validation_alias="OIDC_CLIENT_ID")
    oidc_client_secret: str = Field(default="", validation_alias="OIDC_CLIENT_SECRET")
    #: Scopes asked for; the email claim is what matches a ClaimFlow user.
    oidc_scopes: str = Field(default="openid email profile", validation_alias="OIDC_SCOPES")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def secure_cookies(self) -> bool:
        return (not self.dev_mode) if self.cookie_secure is None else self.cookie_secure

    def signing_key(self) -> str:
        """The key to sign with, or ``ValueError`` naming what to set."""
        if self.secret_key:
            if len(self.secret_key) < 32 and not self.dev_mode:
                raise ValueError("SECRET_KEY must be at least 32 characters long")
            return self.secret_key
        if self.dev_mode:
            return DEV_SECRET_KEY
        raise ValueError("Set SECRET_KEY (at least 32 random characters), or CLAIMFLOW_DEV=1 on a development machine")
