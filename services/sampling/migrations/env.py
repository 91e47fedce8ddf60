from shared.platform.migrations import run_env
from services.sampling.tables import metadata

run_env(metadata)
