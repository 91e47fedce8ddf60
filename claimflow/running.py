"""How a command finds the running embedded system.

``claimflow up`` picks free ports for PostgreSQL and the broker, so a command run from a second
terminal cannot guess them. While it runs, ``up`` keeps ``running.json`` in the data directory
(``CLAIMFLOW_DATA_DIR``, default ``.claimflow``): its process id and the addresses it gave the
services. It is removed when ``up`` stops. A command that needs a database or the broker takes an
address from the environment when one is set, and otherwise from that file; when neither is there
(or the process that wrote the file is gone) it says that no ClaimFlow is running.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable, MutableMapping

RUNNING_FILE = "running.json"
#: The addresses a command may need: each service's database, the broker and its topic prefix.
RECORDED = ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TOPIC_PREFIX")


class NotRunning(Exception):
    """No running ``claimflow up`` was found for the data directory; the message says what to do."""


def data_dir() -> Path:
    return Path(os.environ.get("CLAIMFLOW_DATA_DIR", ".claimflow")).resolve()


def record(directory: Path, env: dict[str, str], *, pid: int | None = None) -> Path:
    """Write the running file: the process id and the addresses commands need."""
    keep = {k: v for k, v in env.items() if k in RECORDED or k.endswith("_DATABASE_URL")}
    path = directory / RUNNING_FILE
    path.write_text(json.dumps({"pid": pid or os.getpid(), "env": keep}, indent=2))
    path.chmod(0o600)
    return path


def forget(directory: Path) -> None:
    (directory / RUNNING_FILE).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read(directory: Path) -> dict[str, str] | None:
    """The running system's addresses, or None when no live ``claimflow up`` wrote them."""
    path = directory / RUNNING_FILE
    try:
        found = json.loads(path.read_text())
        pid, env = int(found["pid"]), dict(found["env"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return env if _alive(pid) else None


def find(needed: Iterable[str], *, environ: MutableMapping[str, str] | None = None,
         directory: Path | None = None) -> None:
    """Fill each needed setting that the environment lacks from the running system.

    ``needed`` names environment variables (``GATEWAY_DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``);
    taking the broker from the running system takes its topic prefix too. ``NotRunning`` when a
    setting is missing and no ClaimFlow is running."""
    environ = os.environ if environ is None else environ
    directory = directory or data_dir()
    missing = [name for name in needed if not environ.get(name)]
    if not missing:
        return
    running = read(directory)
    if running is None:
        raise NotRunning(f"No running ClaimFlow was found in {directory}. Start it with `./cf up` in another "
                         f"terminal (from this directory, or with the same CLAIMFLOW_DATA_DIR), or set "
                         f"{' and '.join(missing)} to use another system.")
    for name in missing:
        if name in running:
            environ[name] = running[name]
    if "KAFKA_BOOTSTRAP_SERVERS" in missing and running.get("KAFKA_TOPIC_PREFIX"):
        environ.setdefault("KAFKA_TOPIC_PREFIX", running["KAFKA_TOPIC_PREFIX"])
