"""ECF lead provider payments: contracts, declarations, statements and the statement calculator.

The domain (``ecf.domain``) is pure. What the persistence and API layers call:

- ``Contract.create(...)``, ``Band`` — validated contracts and their prices
- ``Schedule.create(...)``, ``Milestone`` — milestone periods
- ``Participant``, ``Declaration``, ``submit(...)``, ``void(...)``, ``make_eligible(...)``,
  ``after_deadline(...)``, ``on_authorise(...)``
- ``Statement.create(...)``, ``add_adjustment(...)``, ``authorise(...)``, ``next_output_statement``,
  ``order_statements``, ``DEADLINE_TRANSITIONS``, ``AUTHORISE_TRANSITIONS``,
  ``AUTHORISE_CLAWBACK_TRANSITIONS``
- ``calculate(contract, statements, tallies)``, ``Tally``, ``tally``, ``tally_rows``
- ``statement_document(...)``, ``statement_csv(...)``, ``declarations_csv(...)`` — shapes and files
"""
