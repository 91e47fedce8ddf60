"""The floor every ClaimFlow service stands on: settings, database, outbox relay, idempotent
consumers, dead letters, logging, health and metrics. Written once, used by all services."""
