"""The gateway: sign-in, roles, the public JSON API (DESIGN §9) and the support UI (§10)."""
