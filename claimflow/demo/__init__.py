"""Demo data, next to the command line that loads it (``claimflow seed``, ``./cf up``): it writes
through each service's own tables, so it lives outside every service and no service imports it."""
