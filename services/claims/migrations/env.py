from shared.platform.migrations import run_env
from services.claims.tables import metadata

run_env(metadata)
