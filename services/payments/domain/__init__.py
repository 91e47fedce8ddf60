"""School payments and clawbacks: pure rules (stdlib + shared.contracts + shared.csvfiles)."""
