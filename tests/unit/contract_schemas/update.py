"""Write the JSON schema snapshot of every message (run after a deliberate, versioned change)."""
import json
from pathlib import Path

import shared.contracts  # noqa: F401
from shared.contracts import message_types

here = Path(__file__).parent
for name, cls in sorted(message_types().items()):
    (here / f"{name}.json").write_text(json.dumps(cls.model_json_schema(), indent=2, sort_keys=True) + "\n")
print(f"wrote {len(message_types())} schemas")
