"""DfE Sign-in: OpenID Connect, authorization code flow with PKCE (docs/design.md §14).

Rules:
- Offered only when ``OIDC_ISSUER``, ``OIDC_CLIENT_ID`` and ``OIDC_CLIENT_SECRET`` are all set;
  the issuer's discovery document (``/.well-known/openid-configuration``) gives the endpoints.
- Each sign-in gets a fresh ``state``, ``nonce`` and PKCE verifier (S256), kept in a short-lived
  signed, HttpOnly cookie bound to this browser; the callback must bring back the same state, the
  ID token must carry the same nonce, be signed by a key of the issuer's JWKS, name the issuer as
  ``iss``, our client id in ``aud`` (and ``azp`` when several audiences), and not be expired.
- The code is exchanged once, by the gateway, with the client secret and the PKCE verifier; the
  issuer refuses a replayed code.
- The person is matched by the ``email`` claim (case-insensitive) to an active ClaimFlow user;
  no match, or a deactivated user, is refused. Nothing is created from the issuer's data.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

import warnings

import httpx
from authlib.common.security import generate_token

with warnings.catch_warnings():
    # Authlib 1.9 announces a future rename of its httpx integration on import; nothing to act on yet.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

FLOW_COOKIE = "claimflow_oidc"
FLOW_MAX_AGE_S = 600
CALLBACK_PATH = "/sign-in/dfe/callback"


class SignInRefused(Exception):
    """The sign-in cannot go on; ``reason`` picks the page (state, token, unknown_user, unavailable)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class Flow:
    state: str
    nonce: str
    verifier: str
    next_path: str


class OidcClient:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str, redirect_uri: str, scopes: str,
                 secret_key: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.scopes = scopes
        self._serializer = URLSafeTimedSerializer(secret_key, salt="claimflow.oidc-flow")
        self._transport = transport
        self._metadata: dict[str, Any] | None = None
        self._keys: tuple[float, KeySet] | None = None

    # ----------------------------------------------------------------------- provider
    def _http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=10, transport=self._transport)

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            try:
                async with self._http() as http:
                    r = await http.get(f"{self.issuer}/.well-known/openid-configuration")
                    r.raise_for_status()
                    found = r.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise SignInRefused("unavailable", f"discovery failed: {type(exc).__name__}") from None
            if found.get("issuer", "").rstrip("/") != self.issuer:
                raise SignInRefused("unavailable", "the discovery document names another issuer")
            self._metadata = found
        return self._metadata

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh or self._keys[0] < time.monotonic():
            async with self._http() as http:
                r = await http.get((await self.metadata())["jwks_uri"])
                r.raise_for_status()
                self._keys = (time.monotonic() + 3600, KeySet.import_key_set(r.json()))
        return self._keys[1]

    # -------------------------------------------------------------------------- steps
    async def start(self, next_path: str) -> tuple[str, str]:
        """(the issuer's authorization URL to redirect to, the signed flow cookie)."""
        meta = await self.metadata()
        flow = Flow(state=generate_token(43), nonce=generate_token(43), verifier=generate_token(64),
                    next_path=next_path)
        client = AsyncOAuth2Client(client_id=self.client_id, redirect_uri=self.redirect_uri, scope=self.scopes)
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], state=flow.state, nonce=flow.nonce,
            code_challenge=create_s256_code_challenge(flow.verifier), code_challenge_method="S256")
        cookie = self._serializer.dumps([flow.state, flow.nonce, flow.verifier, flow.next_path])
        return url, cookie

    def flow(self, cookie: str | None, state: str | None) -> Flow:
        """The flow this browser started, if ``state`` is the one it was given."""
        try:
            s, nonce, verifier, next_path = self._serializer.loads(cookie or "", max_age=FLOW_MAX_AGE_S)
        except (BadSignature, ValueError, TypeError):
            raise SignInRefused("state", "no sign-in was started in this browser, or it took too long") from None
        if not state or not secrets.compare_digest(str(s).encode(), state.encode()):
            raise SignInRefused("state", "the state does not match")
        return Flow(state=s, nonce=nonce, verifier=verifier, next_path=next_path)

    async def finish(self, flow: Flow, code: str) -> str:
        """Exchange the code and check the ID token; the verified email address."""
        meta = await self.metadata()
        client = AsyncOAuth2Client(client_id=self.client_id, client_secret=self.client_secret,
                                   redirect_uri=self.redirect_uri, timeout=10, transport=self._transport,
                                   token_endpoint_auth_method="client_secret_basic")
        try:
            async with client:
                token = await client.fetch_token(meta["token_endpoint"], grant_type="authorization_code", code=code,
                                                 code_verifier=flow.verifier)
        except httpx.HTTPError as exc:
            raise SignInRefused("unavailable", f"token endpoint: {type(exc).__name__}") from None
        except Exception as exc:  # noqa: BLE001 - Authlib raises OAuthError for invalid_grant and the like
            raise SignInRefused("token", f"the code was refused: {exc}") from None
        id_token = token.get("id_token")
        if not id_token:
            raise SignInRefused("token", "no ID token")
        claims = await self.verify_id_token(id_token, nonce=flow.nonce)
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise SignInRefused("token", "the ID token has no email address")
        if claims.get("email_verified") is False:
            raise SignInRefused("token", "the email address is not verified")
        return email.strip().lower()

    async def verify_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """The ID token's claims once signature, issuer, audience, expiry and nonce are checked."""
        meta = await self.metadata()
        algorithms = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in algorithms if a != "none"]
        try:
            try:
                decoded = jwt.decode(id_token, await self._key_set(), algorithms=algorithms)
            except JoseError:
                decoded = jwt.decode(id_token, await self._key_set(refresh=True), algorithms=algorithms)  # key rotated
            jwt.JWTClaimsRegistry(
                leeway=60, iss={"essential": True, "value": meta["issuer"]},
                aud={"essential": True, "value": self.client_id}, exp={"essential": True},
                nonce={"essential": True, "value": nonce}).validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise SignInRefused("token", f"the ID token was refused: {type(exc).__name__} {exc}") from None
        audiences = decoded.claims.get("aud")
        if isinstance(audiences, list) and len(audiences) > 1 and decoded.claims.get("azp") != self.client_id:
            raise SignInRefused("token", "the ID token was issued to another client")
        return decoded.claims


def build_client(settings, *, transport: httpx.AsyncBaseTransport | None = None) -> OidcClient | None:
    if not settings.oidc_enabled:
        return None
    return OidcClient(issuer=settings.oidc_issuer, client_id=settings.oidc_client_id,
                      client_secret=settings.oidc_client_secret,
                      redirect_uri=settings.public_base_url.rstrip("/") + CALLBACK_PATH, scopes=settings.oidc_scopes,
                      secret_key=settings.signing_key())
