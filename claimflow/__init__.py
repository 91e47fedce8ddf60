"""ClaimFlow command line and embedded runtime (composes the services; holds no business rules)."""
