"""The public JSON API (DESIGN §9): thin adapters from a signed-in user to a service's internal API."""
