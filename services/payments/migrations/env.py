from shared.platform.migrations import run_env
from services.payments.metadata import metadata
import services.payments.tables  # noqa: F401  (school payments and clawbacks)
import services.payments.ecf.tables  # noqa: F401  (the ECF engine: its tables on the same metadata, one history)

run_env(metadata)
