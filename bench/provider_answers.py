"""Providers answering their audits in their accounts (docs/design.md §12): ``--providers`` provider
users, all at once, each answering its own claims in sampling_in_progress through
``POST /api/v1/claims/{reference}/assurance`` on the running system's gateway.

Starts the whole system (throwaway data directory), loads ``--claims`` claims in
sampling_in_progress over ``--providers`` providers with the claims service's seed loader (its own
tables and outbox, so sampling builds its projection from the usual events; every claim given
sampling_in_progress, as the demo's are), waits until sampling's projection holds them, adds one
provider user per provider (role provider, its provider id) and signs each in for an API token.
Then every provider answers its claims one after another, all providers at once, at most
``--concurrency`` requests in flight: about 80% "assured", 20% not assured with one mentor's hours
changed (claimed − 1) and a structured reason.

Reports errors, answers per second, p50/p95/p99 latency; then waits until the claims service has
moved every claim and checks, in the services' own databases, that every claim transitioned exactly
once: paid when assured, sampling_provider_not_approved otherwise; one history entry leaving
sampling_in_progress per claim; one ``provider_answers`` row per claim (``via`` account); and that a
second answer is refused. Target: 0 errors, every claim transitions once.

    .venv/bin/python bench/provider_answers.py                     # 20,000 claims, 170 providers
    .venv/bin/python bench/provider_answers.py --quick             # 1,000 claims, 20 providers
"""
from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import percentile, report_result  # noqa: E402
from claimflow.stack import Stack  # noqa: E402

PASSWORD = "provider-answers-password"
NOT_ASSURED_SHARE = 0.2


def plain(url: str) -> str:
    """asyncpg's form of a SQLAlchemy URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def load_claims(claims_url: str, sampling_url: str, *, claims: int, providers: int) -> None:
    """The seed loader with every claim in sampling_in_progress (its first draws take one status each)."""
    from claimflow.demo import claims as demo
    from services.claims.domain.status import STATUSES

    started = time.perf_counter()
    demo.STATUS_WEIGHTS = {"sampling_in_progress": 1}
    await demo.seed(claims_url, claims_count=claims + len(STATUSES) - 1, providers_count=providers,
                    progress=lambda line: print(line, flush=True))
    c = await asyncpg.connect(plain(claims_url))
    try:
        expected = await c.fetchval("SELECT count(*) FROM claims WHERE status = 'sampling_in_progress'")
    finally:
        await c.close()
    print(f"claims service: {expected:,} claims in sampling_in_progress in {time.perf_counter() - started:.1f} s",
          flush=True)
    s = await asyncpg.connect(plain(sampling_url))
    try:
        while True:
            projected = await s.fetchval("SELECT count(*) FROM claims WHERE status = 'sampling_in_progress'")
            print(f"  {time.perf_counter() - started:6.1f} s sampling's projection: {projected:,} of {expected:,}",
                  flush=True)
            if projected >= expected:
                break
            await asyncio.sleep(3)
    finally:
        await s.close()


async def work(sampling_url: str) -> dict[str, list[tuple[str, list[tuple[str, int]]]]]:
    """Each provider's claims in sampling_in_progress with their mentors (trn, hours)."""
    s = await asyncpg.connect(plain(sampling_url))
    try:
        rows = await s.fetch(
            "SELECT c.provider_id, c.reference, array_agg(m.trn ORDER BY m.trn) AS trns,"
            " array_agg(m.hours ORDER BY m.trn) AS hours FROM claims c JOIN claim_mentors m"
            " ON m.claim_reference = c.reference WHERE c.status = 'sampling_in_progress'"
            " GROUP BY c.provider_id, c.reference ORDER BY c.provider_id, c.reference")
    finally:
        await s.close()
    by_provider: dict[str, list] = defaultdict(list)
    for r in rows:
        by_provider[r["provider_id"]].append((r["reference"], list(zip(r["trns"], r["hours"]))))
    return by_provider


async def create_users(gateway_url: str, provider_ids: list[str]) -> dict[str, str]:
    from services.gateway.users import UserStore
    from shared.platform.db import make_engine

    engine = make_engine(gateway_url, pool_size=4)
    try:
        store = UserStore(engine)
        users = {p: f"answers-{i:03d}@provider.example" for i, p in enumerate(provider_ids)}
        items = list(users.items())
        for start in range(0, len(items), 20):
            await asyncio.gather(*(store.save_user(email=e, password=PASSWORD, role="provider", provider_ids=(p,))
                                   for p, e in items[start:start + 20]))
        return users
    finally:
        await engine.dispose()


def answer_for(rng: random.Random, mentors: list[tuple[str, int]]) -> dict:
    """About one claim in five not assured: its mentor with the most hours (≥ 2) did one hour less."""
    trn, hours = max(mentors, key=lambda m: (m[1], m[0]))
    if rng.random() >= NOT_ASSURED_SHARE or hours < 2:
        return {"assured": True}
    return {"assured": False, "mentors": [{
        "trn": trn, "hours_confirmed": hours - 1, "reason_code": "hours_not_completed",
        "reason": "Change the hours: the mentor missed one session"}]}


async def answer_all(url: str, users: dict[str, str], by_provider: dict[str, list], *, concurrency: int):
    latencies: list[float] = []
    errors: list[str] = []
    expected: dict[str, str] = {}
    rng = random.Random(2026)
    plan = {p: [(ref, answer_for(rng, mentors)) for ref, mentors in claims] for p, claims in by_provider.items()}
    total = sum(len(v) for v in plan.values())
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency + 10)
    async with aiohttp.ClientSession(connector=connector) as http:
        tokens: dict[str, str] = {}

        async def sign_in(provider: str) -> None:
            async with gate, http.post(f"{url}/api/v1/auth/token",
                                       json={"email": users[provider], "password": PASSWORD}) as r:
                if r.status != 200:
                    raise RuntimeError(f"{users[provider]} could not sign in: {r.status} {await r.text()}")
                tokens[provider] = (await r.json())["access_token"]

        await asyncio.gather(*(sign_in(p) for p in plan))
        print(f"{len(tokens)} provider users signed in; {total:,} claims to answer, {concurrency} requests "
              f"at a time at most", flush=True)

        async def provider(p: str) -> None:
            headers = {"Authorization": f"Bearer {tokens[p]}"}
            for ref, body in plan[p]:
                async with gate:
                    t0 = time.perf_counter()
                    try:
                        async with http.post(f"{url}/api/v1/claims/{ref}/assurance", json=body,
                                             headers=headers) as r:
                            text = await r.text()
                            latencies.append(time.perf_counter() - t0)
                            if r.status != 202:
                                errors.append(f"{ref}: {r.status} {text[:200]}")
                                continue
                    except aiohttp.ClientError as exc:
                        errors.append(f"{ref}: {exc!r}")
                        continue
                expected[ref] = "paid" if body["assured"] else "sampling_provider_not_approved"

        async def progress(started: float) -> None:
            while True:
                await asyncio.sleep(10)
                done = len(latencies)
                print(f"  {time.perf_counter() - started:6.1f} s {done:,} of {total:,} answered, "
                      f"{len(errors)} errors, {done / (time.perf_counter() - started):.0f}/s", flush=True)

        started = time.perf_counter()
        ticker = asyncio.create_task(progress(started))
        await asyncio.gather(*(provider(p) for p in plan))
        elapsed = time.perf_counter() - started
        ticker.cancel()

        # A second answer to an answered claim is refused with the reason.
        some_provider = next(iter(plan))
        ref, body = plan[some_provider][0]
        async with http.post(f"{url}/api/v1/claims/{ref}/assurance", json=body,
                             headers={"Authorization": f"Bearer {tokens[some_provider]}"}) as r:
            again = (r.status, await r.text())
    return latencies, errors, expected, elapsed, total, again


async def check(claims_url: str, sampling_url: str, expected: dict[str, str], timeout: float) -> tuple[int, list[str]]:
    """Wait until the claims service has moved every answered claim, then count those that
    transitioned exactly once as their answer said."""
    refs = list(expected)
    c = await asyncpg.connect(plain(claims_url))
    s = await asyncpg.connect(plain(sampling_url))
    problems: list[str] = []
    try:
        started = time.perf_counter()
        while True:
            moved = await c.fetchval("SELECT count(*) FROM claims WHERE reference = ANY($1::text[])"
                                     " AND status <> 'sampling_in_progress'", refs)
            print(f"  {time.perf_counter() - started:6.1f} s claims moved out of sampling_in_progress: "
                  f"{moved:,} of {len(refs):,}", flush=True)
            if moved >= len(refs) or time.perf_counter() - started > timeout:
                break
            await asyncio.sleep(3)
        statuses = dict(await c.fetch("SELECT reference, status FROM claims WHERE reference = ANY($1::text[])", refs))
        history = await c.fetch(
            "SELECT claim_reference, count(*) AS n, min(to_status) AS to_status FROM status_changes"
            " WHERE claim_reference = ANY($1::text[]) AND from_status = 'sampling_in_progress'"
            " GROUP BY claim_reference", refs)
        transitions = {r["claim_reference"]: (r["n"], r["to_status"]) for r in history}
        answers = await s.fetch("SELECT claim_reference, assured, via FROM provider_answers"
                                " WHERE claim_reference = ANY($1::text[])", refs)
        answered = {r["claim_reference"]: (r["assured"], r["via"]) for r in answers}
        once = 0
        for ref, status in expected.items():
            ok = (statuses.get(ref) == status and transitions.get(ref) == (1, status)
                  and answered.get(ref) == (status == "paid", "account"))
            once += ok
            if not ok and len(problems) < 5:
                problems.append(f"{ref}: expected {status}; status {statuses.get(ref)}, history leaving "
                                f"sampling {transitions.get(ref)}, answer {answered.get(ref)}")
        total_answers = await s.fetchval("SELECT count(*) FROM provider_answers")
        if total_answers != len(refs):
            problems.append(f"provider_answers holds {total_answers} rows for {len(refs)} answered claims")
        return once, problems
    finally:
        await c.close()
        await s.close()


async def bench(url: str, env: dict[str, str], args) -> None:
    claims_url, sampling_url = env["CLAIMS_DATABASE_URL"], env["SAMPLING_DATABASE_URL"]
    await load_claims(claims_url, sampling_url, claims=args.claims, providers=args.providers)
    by_provider = await work(sampling_url)
    users = await create_users(env["GATEWAY_DATABASE_URL"], list(by_provider))
    print(f"{len(users)} provider users added", flush=True)
    latencies, errors, expected, elapsed, total, again = await answer_all(url, users, by_provider,
                                                                          concurrency=args.concurrency)
    ms = [x * 1000 for x in latencies]
    rate = len(latencies) / elapsed
    print(f"\n{len(by_provider)} providers answered {total:,} claims ({sum(v == 'paid' for v in expected.values()):,} "
          f"assured, {sum(v != 'paid' for v in expected.values()):,} not) in {elapsed:.1f} s: {rate:.0f} answers/s")
    print(f"latency p50 {percentile(ms, 50):.1f} / p95 {percentile(ms, 95):.1f} / p99 {percentile(ms, 99):.1f} ms")
    print(f"errors: {len(errors)}", *errors[:5], sep="\n  ")
    refused = again[0] in (409, 422) and "already been answered" in again[1]
    print(f"a second answer: {again[0]} {again[1][:200]}")
    once, problems = await check(claims_url, sampling_url, expected, timeout=args.settle)
    print(f"claims that transitioned exactly once, as answered: {once:,} of {total:,}",
          *problems, sep="\n  ")
    report_result("provider_answers", not errors and once == total and not problems and refused,
                  f"{len(errors)} errors (0), {once:,}/{total:,} claims transitioned once, "
                  f"{rate:.0f} answers/s, p95 {percentile(ms, 95):.0f} ms, {len(by_provider)} providers "
                  f"at concurrency {args.concurrency}, second answer {'refused' if refused else 'NOT refused'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000, help="claims in sampling_in_progress")
    parser.add_argument("--providers", type=int, default=170)
    parser.add_argument("--concurrency", type=int, default=50, help="answers in flight at most")
    parser.add_argument("--settle", type=float, default=600, help="seconds to wait for every claim to move")
    parser.add_argument("--quick", action="store_true", help="1,000 claims, 20 providers, concurrency 20")
    args = parser.parse_args()
    if args.quick:
        args.claims, args.providers, args.concurrency = 1_000, 20, 20
    from claimflow.runtime import free_port

    port = free_port()
    stack = Stack(data_dir=Path(tempfile.mkdtemp(prefix="claimflow-provider-answers-")), gateway_port=port,
                  seed=False, durable=False,
                  extra_env={"GATEWAY_SIGN_IN_RATE_LIMIT": "100000", "GATEWAY_SIGN_IN_CLIENT_RATE_LIMIT": "100000",
                             **{f"{n}_PORT": str(free_port()) for n in ("CLAIMS", "SAMPLING", "PAYMENTS", "NOTIFY")}})
    try:
        stack.start()
        asyncio.run(bench(f"http://127.0.0.1:{port}", stack.env, args))
    finally:
        stack.stop()
        shutil.rmtree(stack.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
