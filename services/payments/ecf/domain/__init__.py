"""The pure domain of the ECF lead provider payment engine (stdlib + shared.contracts only)."""
