import importlib.util

from shared.platform.migrations import run_env
from services.payments.metadata import metadata
import services.payments.tables  # noqa: F401  (school payments and clawbacks)

# The ECF engine defines its tables on the same metadata, so one history covers the whole process.
if importlib.util.find_spec("services.payments.ecf.tables") is not None:
    import services.payments.ecf.tables  # noqa: F401

run_env(metadata)
