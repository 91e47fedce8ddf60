"""Every helper the tests share, one module per thing they stand up or build:

- ``infra``: the session's real PostgreSQL and broker (``conftest.infra``), fresh databases.
- ``inprocess``: what every ``running_*`` shares: start a service app, yield a client, stop it
  (``in_process``), or serve it on a free port (``serve``).
- ``messaging``: ``publish``, ``read_topic``, ``outbox_payloads`` and ``eventually``.
- One module per service, each with its ``running_*`` set-up and what its tests set up through it:
  ``claims`` (``running_claims``), ``sampling`` (``running_sampling``, ``world``), ``payments``
  (``running_payments``), ``ecf`` (``running_ecf``), ``notify`` (``running_notify``) and ``system``
  (``running_system``: the gateway over real HTTP in front of claims, other services stubbed).
- ``stack``: the whole system as processes for the end-to-end tests (``running_stack``);
  ``browser``: what the Playwright journeys share.
- Builders and data for unit tests: ``ecf_builders``, ``sampling_claims``, ``claims_tables`` (rows
  written straight into a claims database), ``malformed_csv`` (the corpus of bad uploads).
- Stand-ins for the world outside: ``fake_govuk_notify``, ``smtp_server``; ``notify_process`` runs
  notify as its own process.
"""
