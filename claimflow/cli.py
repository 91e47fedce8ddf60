"""The ``claimflow`` command line: one entry point that composes the services and the runtime."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from shared.contracts.roles import USER_ROLES

from .registry import BY_NAME, SERVICES, available_services


def _data_dir() -> Path:
    return Path(os.environ.get("CLAIMFLOW_DATA_DIR", ".claimflow")).resolve()


def _find_running(*needed: str) -> bool:
    """Take the settings the environment lacks from the running `claimflow up` (see running.py);
    False, having said why, when none is running."""
    from .running import NotRunning, find

    try:
        find(needed)
    except NotRunning as exc:
        print(f"error: {exc}", file=sys.stderr)
        return False
    return True


def _running_broker() -> tuple[str, str] | None:
    """The broker's address and the topic prefix (of the running `claimflow up` when the environment
    names none); None, having said why, when none is running."""
    if not _find_running("KAFKA_BOOTSTRAP_SERVERS"):
        return None
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"), os.environ.get("KAFKA_TOPIC_PREFIX", "")


def _database_env(name: str) -> str:
    return BY_NAME[name].database_env


# ------------------------------------------------------------------------------------------ up
def sign_in_lines(stack) -> list[str]:
    """What `claimflow up` tells the person about signing in: the demo sign-ins when the data
    directory holds the demo data, otherwise that there are none and how to add a user."""
    from .stack import DEMO_PASSWORD, DEMO_PROVIDER_USER, DEMO_USERS

    if not stack.demo_data_loaded:
        return ["No demo data was loaded (--no-seed), so there are no demo sign-ins.",
                "To add a user, run in a second terminal (it finds this running system):",
                "  claimflow users add --email you@example.com --password <at least 8 characters> --role support",
                "(or stop and run `./cf up` without --no-seed to load the demo data)."]
    lines = [f"Sign in with any of these (password: {DEMO_PASSWORD}):"]
    for email, role, school, trust in DEMO_USERS:
        extra = f" (school {school})" if school else f" (trust {trust})" if trust else ""
        lines.append(f"  {email:<24} {role}{extra}")
    lines.append(f"  {DEMO_PROVIDER_USER:<24} provider (an accredited provider with claims to assure)")
    return lines


def cmd_up(args: argparse.Namespace) -> int:
    from .stack import Stack, say

    port = int(os.environ.get("GATEWAY_PORT", "8000"))
    stack = Stack(data_dir=_data_dir(), gateway_port=port, replicas=args.replicas, seed=not args.no_seed)
    try:
        stack.start()
        say("")
        say(f"ClaimFlow is running: http://127.0.0.1:{port}")
        for line in sign_in_lines(stack):
            say(line)
        say(f"Logs: {stack.data_dir / 'logs'}    Stop: Ctrl-C")
        stack.wait()
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # noqa: BLE001 - reported to the person running the command
        say(f"ClaimFlow could not start: {exc}")
        stack.stop()
        return 1
    say("Stopping ClaimFlow...")
    stack.stop()
    say("Stopped.")
    return 0


# ------------------------------------------------------------------------------------- service
def cmd_service(args: argparse.Namespace) -> int:
    import uvicorn

    from shared.platform.logging import configure_logging

    spec = BY_NAME[args.name]
    app, settings = spec.build_app()
    configure_logging(spec.name, settings.log_level, settings.log_json)
    port = int(os.environ.get(spec.port_env, spec.port))
    host = os.environ.get("HTTP_HOST", "127.0.0.1")
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=10)
    return 0


# ------------------------------------------------------------------------------------- migrate
def cmd_migrate(args: argparse.Namespace) -> int:
    from shared.platform.migrations import upgrade

    names = args.services or [s.name for s in available_services()]
    for name in names:
        spec = BY_NAME[name]
        settings = spec.load(spec.settings)()
        print(f"migrating {name}...", flush=True)
        asyncio.run(upgrade(spec.directory, settings.database_url))
    print("migrations applied", flush=True)
    return 0


# --------------------------------------------------------------------------------------- users
def cmd_users_add(args: argparse.Namespace) -> int:
    from services.gateway.config import GatewaySettings
    from services.gateway.users import add_user

    if not _find_running("GATEWAY_DATABASE_URL"):
        return 2
    settings = GatewaySettings()
    try:
        asyncio.run(add_user(settings.database_url, args.email, args.password, args.role,
                             school_urn=args.school, trust_id=args.trust))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"user {args.email} ({args.role}) saved")
    return 0


# ---------------------------------------------------------------------------------------- tail
def cmd_tail(args: argparse.Namespace) -> int:
    from aiokafka import AIOKafkaConsumer

    import shared.contracts  # noqa: F401 - registers every message type
    from shared.contracts import ContractError, decode

    if (broker := _running_broker()) is None:
        return 2
    bootstrap, prefix = broker

    async def run() -> None:
        consumer = AIOKafkaConsumer(prefix + args.topic, bootstrap_servers=bootstrap, enable_auto_commit=False,
                                    auto_offset_reset="earliest" if args.from_beginning else "latest")
        await consumer.start()
        seen = 0
        try:
            while args.max is None or seen < args.max:
                batch = await consumer.getmany(timeout_ms=500)
                if not batch and args.exit_when_idle:
                    break
                for records in batch.values():
                    for r in records:
                        try:
                            m = decode(r.value)
                            line = {"type": m.type, "partition": r.partition, "offset": r.offset,
                                    "key": r.key.decode() if r.key else None, **m.model_dump(mode="json")}
                        except ContractError as exc:
                            line = {"type": "UNDECODABLE", "partition": r.partition, "offset": r.offset,
                                    "error": str(exc), "raw": r.value.decode(errors="replace")[:500]}
                        print(json.dumps(line, default=str), flush=True)
                        seen += 1
        finally:
            await consumer.stop()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


# ----------------------------------------------------------------------------------------- dlq
async def _read_dead_letters(group: str, bootstrap: str, prefix: str):
    from aiokafka import AIOKafkaConsumer

    from shared.contracts import DeadLetter, decode, dead_letter_topic

    consumer = AIOKafkaConsumer(prefix + dead_letter_topic(group), bootstrap_servers=bootstrap,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    letters = []
    try:
        idle = 0
        while idle < 3:
            batch = await consumer.getmany(timeout_ms=300)
            idle = 0 if batch else idle + 1
            for records in batch.values():
                for r in records:
                    letter = decode(r.value)
                    if isinstance(letter, DeadLetter):
                        letters.append((r.offset, letter))
    finally:
        await consumer.stop()
    return letters


def cmd_dlq(args: argparse.Namespace) -> int:
    from aiokafka import AIOKafkaProducer

    from shared.platform.messaging import REPLAY_HEADER

    if (broker := _running_broker()) is None:
        return 2
    bootstrap, prefix = broker

    async def run() -> int:
        letters = await _read_dead_letters(args.group, bootstrap, prefix)
        if args.action == "list":
            for offset, l in letters:
                print(json.dumps({"dlq_offset": offset, "event_id": l.original_event_id, "topic": l.original_topic,
                                  "partition": l.original_partition, "offset": l.original_offset,
                                  "error": l.error, "failed_at": l.occurred_at.isoformat()}), flush=True)
            print(f"{len(letters)} dead letters in dlq.{args.group}", flush=True)
            return 0
        chosen = [l for _, l in letters if not args.event_id or l.original_event_id in args.event_id]
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for l in chosen:
                await producer.send_and_wait(l.original_topic, l.original_value.encode(),
                                             key=l.original_key.encode() if l.original_key else None,
                                             headers=[(REPLAY_HEADER, b"1")])
        finally:
            await producer.stop()
        print(f"replayed {len(chosen)} of {len(letters)} dead letters from dlq.{args.group}", flush=True)
        return 0

    return asyncio.run(run())


# -------------------------------------------------------------------------------------- outbox
def cmd_outbox_republish(args: argparse.Namespace) -> int:
    from shared.platform.db import make_engine
    from shared.platform.relay import OutboxRelay

    since = datetime.fromisoformat(args.since)
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    names = args.service or [s.name for s in available_services() if s.name != "gateway"]
    if not _find_running("KAFKA_BOOTSTRAP_SERVERS", *(_database_env(n) for n in names)):
        return 2

    async def run() -> None:
        for name in names:
            spec = BY_NAME[name]
            settings = spec.load(spec.settings)()
            metadata = spec.load(f"services.{name}.tables:metadata")
            engine = make_engine(settings.database_url, pool_size=2)
            relay = OutboxRelay(engine=engine, outbox=metadata.tables["outbox"], settings=settings)
            await relay.start()
            try:
                count = await relay.republish_since(since)
            finally:
                await relay.stop()
                await engine.dispose()
            print(f"{name}: re-published {count} events since {since.isoformat()}", flush=True)

    asyncio.run(run())
    return 0


# ---------------------------------------------------------------------------------------- seed
def cmd_seed(args: argparse.Namespace) -> int:
    from .seed import seed

    if not _find_running(_database_env("claims"), _database_env("gateway")):
        return 2
    return asyncio.run(seed(claims=args.claims, demo=args.demo))


# -------------------------------------------------------------------------------- lead-providers
def cmd_lead_providers_add(args: argparse.Namespace) -> int:
    from .registry import ROOT

    if not (ROOT / "services" / "payments" / "app.py").exists():
        print("error: the payments service is not installed", file=sys.stderr)
        return 2
    from services.payments.config import PaymentsSettings
    from services.payments.ecf.admin import add_lead_provider

    if not _find_running(_database_env("payments")):
        return 2
    from shared.contracts import Refused

    try:
        result = asyncio.run(add_lead_provider(PaymentsSettings().database_url, name=args.name, email=args.email))
    except Refused as refused:
        print(f"error: {refused.message}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimflow", description="ClaimFlow: mentor-training funding")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start the whole system on the embedded default")
    up.add_argument("--replicas", type=int, default=int(os.environ.get("CLAIMFLOW_REPLICAS", "1")),
                    help="instances of each service (one consumer group; partitions are shared)")
    up.add_argument("--no-seed", action="store_true", help="do not load demo data on first start")
    up.set_defaults(func=cmd_up)

    service = sub.add_parser("service", help="run one service (settings from the environment)")
    service.add_argument("name", choices=[s.name for s in SERVICES])
    service.set_defaults(func=cmd_service)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("services", nargs="*", help="services to migrate (default: all)")
    migrate.set_defaults(func=cmd_migrate)

    users = sub.add_parser("users", help="manage sign-ins").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="add or update a user")
    add.add_argument("--email", required=True)
    add.add_argument("--password", required=True)
    add.add_argument("--role", required=True, choices=list(USER_ROLES))
    add.add_argument("--school", help="URN of the school (role school)")
    add.add_argument("--trust", help="id of the multi-academy trust (role mat)")
    add.set_defaults(func=cmd_users_add)

    tail = sub.add_parser("tail", help="print the live stream of a topic, decoded through the contracts")
    tail.add_argument("topic")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--max", type=int, default=None, help="stop after this many messages")
    tail.add_argument("--exit-when-idle", action="store_true", help="stop when no message arrives for 0.5 s")
    tail.set_defaults(func=cmd_tail)

    dlq = sub.add_parser("dlq", help="dead letters of a consumer group").add_subparsers(dest="action", required=True)
    for action, text in (("list", "list dead letters"), ("replay", "publish dead letters back to their topic")):
        p = dlq.add_parser(action, help=text)
        p.add_argument("group", help="consumer group, e.g. claims.status")
        if action == "replay":
            p.add_argument("--event-id", action="append", help="only these event ids (repeatable)")
        p.set_defaults(func=cmd_dlq)

    outbox = sub.add_parser("outbox", help="outbox operations").add_subparsers(dest="action", required=True)
    rep = outbox.add_parser("republish", help="publish again every event written since a time")
    rep.add_argument("--since", required=True, help="ISO 8601 time, e.g. 2026-11-23T10:00:00Z")
    rep.add_argument("--service", action="append", choices=[s.name for s in SERVICES if s.name != "gateway"])
    rep.set_defaults(func=cmd_outbox_republish)

    seed = sub.add_parser("seed", help="load demo data")
    seed.add_argument("--claims", type=int, default=None, help="number of claims (default: a small demo set)")
    seed.add_argument("--demo", action="store_true", help="the small set `claimflow up` loads on first start")
    seed.set_defaults(func=cmd_seed)

    lp = sub.add_parser("lead-providers", help="ECF lead providers").add_subparsers(dest="action", required=True)
    lpa = lp.add_parser("add", help="add a lead provider and print its API token")
    lpa.add_argument("--name", required=True)
    lpa.add_argument("--email", help="where the reminders before each output statement's deadline go (optional)")
    lpa.set_defaults(func=cmd_lead_providers_add)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    sys.exit(args.func(args))
