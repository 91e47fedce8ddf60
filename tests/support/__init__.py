"""Test doubles shared by the integration tests (real servers, not mocks of clients)."""
