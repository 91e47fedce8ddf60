from shared.platform.migrations import run_env
from services.notify.tables import metadata

run_env(metadata)
