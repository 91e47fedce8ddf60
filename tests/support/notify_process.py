"""Run the notify service as its own process (``python -m tests.support.notify_process``), with
settings from the environment, until it is killed. Prints ``ready`` once started. Used by the test
that kills the service between sending an email and recording it."""
from __future__ import annotations

import asyncio
import sys

from services.notify.app import create_app
from services.notify.config import NotifySettings


async def main() -> None:
    app = create_app(NotifySettings())
    async with app.router.lifespan_context(app):
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
