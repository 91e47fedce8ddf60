"""The gateway: sign-in, roles, the public JSON API (docs/design.md §9) and the support UI (§10)."""
