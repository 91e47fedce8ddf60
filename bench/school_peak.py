"""School peak: the last hour of a claim window. ``--users`` school users (2,000), each of its own school
among the seeded schools (20,000 with ``--claims 100000``), sign in through the sign-in page and go
through the whole add-claim journey over HTTP as a browser without JavaScript does (pages and form
posts, CSRF included): home, provider, mentors, hours, check your answers, declaration, confirmation,
claims list.

The load is the hour's: the users arrive at random (a Poisson process) over ``--minutes`` (20, so the
hour's 2,000 users come three times faster than spread evenly over it: the rush before the window
closes), and each spends ``--think`` seconds (1) on a page before the next request, as a person reading
and filling it does (real people take longer, which spreads the same requests more thinly). Latency is
measured at that offered load. ``--concurrency N`` instead keeps N users in the journey at every moment
with no time on a page: the system's saturation, whose figure is the claims submitted per second, not
its latency (a queue of N requests on two cores).

Reports p50/p95/p99 per page, errors, claims submitted per second, and checks afterwards (as support,
through the API) that every claim is present exactly once and submitted. Target: p95 ≤ 200 ms per page,
0 errors, every claim present exactly once.

    python bench/school_peak.py                      # starts the system itself (throwaway data dir)
    python bench/school_peak.py --users 100 --claims 5000 --minutes 1     # quick
    python bench/school_peak.py --users 400 --claims 5000 --concurrency 10   # saturation
"""
from __future__ import annotations

import argparse
import asyncio
import random
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import percentile, report_result  # noqa: E402
from claimflow.stack import Stack  # noqa: E402

PASSWORD = "school-peak-password"
SUPPORT = "peak-support@example.com"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REFERENCE = re.compile(r"/school/claims/(\d{8})/")
TARGET_MS = 200.0


async def create_users(database_url: str, count: int, first_urn: int) -> list[tuple[str, str]]:
    from services.gateway.users import UserStore
    from shared.platform.db import make_engine

    engine = make_engine(database_url, pool_size=4)
    try:
        store = UserStore(engine)
        await store.save_user(email=SUPPORT, password=PASSWORD, role="support")
        users = [(f"peak-{i:05d}@school.example", str(first_urn + i)) for i in range(count)]
        for start in range(0, count, 50):
            await asyncio.gather(*(store.save_user(email=e, password=PASSWORD, role="school", school_urn=u)
                                   for e, u in users[start:start + 50]))
        return users
    finally:
        await engine.dispose()


class Journey:
    """One school user's way through the pages, timing each request under its page's name."""

    def __init__(self, url: str, samples: dict[str, list[float]], errors: list[str], think: float = 0.0) -> None:
        self.url, self.samples, self.errors, self.think = url, samples, errors, think

    async def page(self, session, name: str, method: str, path: str, *, data: dict | None = None,
                   expect: int = 200) -> tuple[str, str]:
        if self.think and name != "sign-in page":
            await asyncio.sleep(self.think)  # the person reads the page, or fills in its form
        t0 = time.perf_counter()
        async with session.request(method, self.url + path, data=data, allow_redirects=False) as r:
            body = await r.text()
            self.samples[name].append((time.perf_counter() - t0) * 1000)
            if r.status != expect:
                raise RuntimeError(f"{name}: {method} {path} answered {r.status}: {body[:300]}")
            return body, r.headers.get("location", "")

    async def run(self, email: str, provider_id: str, trn: str) -> str:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
            form, _ = await self.page(s, "sign-in page", "GET", "/sign-in")
            await self.page(s, "sign in (post)", "POST", "/sign-in", expect=303, data={
                "email": email, "password": PASSWORD, "next": "/", "csrf_token": CSRF.search(form).group(1)})
            home, _ = await self.page(s, "home", "GET", "/school")
            token = CSRF.search(home).group(1)
            await self.page(s, "provider page", "GET", "/school/claims/new")
            _, mentors = await self.page(s, "provider (post)", "POST", "/school/claims/new", expect=303,
                                         data={"provider_id": provider_id, "csrf_token": token})
            reference = REFERENCE.search(mentors + "/").group(1)
            await self.page(s, "mentors page", "GET", mentors)
            _, hours = await self.page(s, "mentors (post)", "POST", mentors, expect=303, data={
                "new_trn": trn, "new_full_name": f"Mentor {trn}", "action": "continue", "csrf_token": token})
            await self.page(s, "hours page", "GET", hours)
            _, check = await self.page(s, "hours (post)", "POST", hours, expect=303,
                                       data={"hours_choice": "other", "hours_other": "6", "csrf_token": token})
            await self.page(s, "check your answers", "GET", check)
            declaration = f"/school/claims/{reference}/declaration"
            await self.page(s, "declaration page", "GET", declaration)
            _, done = await self.page(s, "declaration (post)", "POST", declaration, expect=303,
                                      data={"declaration": "yes", "csrf_token": token})
            await self.page(s, "confirmation", "GET", done)
            listed, _ = await self.page(s, "claims list", "GET", "/school/claims")
            if reference not in listed:
                raise RuntimeError(f"claim {reference} is not in {email}'s list")
            return reference


async def claimed_once(api, url: str, support: dict, *, urn: str, trn: str, reference: str) -> bool:
    """The school's claims for the mentor with ``trn`` are exactly its journey's, and it is submitted. The
    search for the TRN also finds seeded claims whose reference or another mentor's TRN holds the same
    digits: only the school's own claims are opened and their mentors compared."""
    async with api.get(f"{url}/api/v1/claims", headers=support, params={"q": trn, "per_page": 500}) as r:
        found = await r.json()
    claimed = []
    for item in (c for c in found["items"] if c["school"]["urn"] == urn):
        async with api.get(f"{url}/api/v1/claims/{item['reference']}", headers=support) as r:
            claim = await r.json()
        if any(m["trn"] == trn for m in claim["mentors"]):
            claimed.append(claim)
    return len(claimed) == 1 and claimed[0]["reference"] == reference and claimed[0]["status"] == "submitted"


async def run(url: str, *, users: list[tuple[str, str]], concurrency: int | None, minutes: float,
              think: float) -> None:
    url = url.rstrip("/")
    samples: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    async with aiohttp.ClientSession() as api:
        async with api.post(f"{url}/api/v1/auth/token",
                            json={"email": SUPPORT, "password": PASSWORD}) as r:
            support = {"Authorization": f"Bearer {(await r.json())['access_token']}"}
        async with api.get(f"{url}/api/v1/providers", headers=support) as r:
            provider_id = (await r.json())["items"][0]["id"]
        journey = Journey(url, samples, errors, think=0.0 if concurrency else think)
        queue = list(enumerate(users))
        done: dict[str, str] = {}

        async def one(i: int, email: str) -> None:
            try:
                done[email] = await journey.run(email, provider_id, str(9_100_000 + i))
            except Exception as exc:  # noqa: BLE001 - counted and shown
                errors.append(f"{email}: {exc}")

        async def worker() -> None:
            while queue:
                i, (email, _) = queue.pop()
                await one(i, email)

        async def arriving() -> None:
            rate = len(users) / (minutes * 60)  # users a second
            arrivals, clock, started_at = random.Random(7), 0.0, time.perf_counter()
            journeys = []
            for i, (email, _) in enumerate(users):
                clock += arrivals.expovariate(rate)
                await asyncio.sleep(max(0.0, started_at + clock - time.perf_counter()))
                journeys.append(asyncio.create_task(one(i, email)))
                if (i + 1) % 200 == 0:
                    print(f"  {i + 1} users arrived, {len(done)} claims submitted, {len(errors)} errors", flush=True)
            await asyncio.gather(*journeys)

        started = time.perf_counter()
        if concurrency:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        else:
            await arriving()
        elapsed = time.perf_counter() - started

        load = (f"{concurrency} at a time with no time on a page (saturation)" if concurrency else
                f"arriving over {minutes:g} min ({len(users) / minutes * 60 / 2000:.1f}× an hour of 2,000), "
                f"{think:g} s on each page")
        print(f"\n{len(users)} school users, {load}, {elapsed:.1f} s: "
              f"{len(done) / elapsed:.1f} claims submitted per second")
        print(f"{'page':<22} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8}")
        worst = 0.0
        for name, ms in samples.items():
            p95 = percentile(ms, 95)
            worst = max(worst, p95)
            print(f"{name:<22} {len(ms):>6} {percentile(ms, 50):>7.1f}ms {p95:>7.1f}ms {percentile(ms, 99):>7.1f}ms")
        print(f"errors: {len(errors)}", *errors[:5], sep="\n  ")

        present = 0
        for i, (email, urn) in enumerate(users):
            if email in done and await claimed_once(api, url, support, urn=urn, trn=str(9_100_000 + i),
                                                    reference=done[email]):
                present += 1
        print(f"claims present exactly once and submitted: {present} of {len(users)}")
    if concurrency:  # saturation: the figure is the throughput; latency is the queue's length
        report_result("school_peak_saturation", not errors and present == len(users),
                      f"{len(done) / elapsed:.1f} claims/s with {concurrency} users at once, worst page p95 "
                      f"{worst:.1f} ms, {len(errors)} errors (0), {present}/{len(users)} claims present once")
        return
    report_result("school_peak", worst <= TARGET_MS and not errors and present == len(users),
                  f"worst page p95 {worst:.1f} ms (≤ {TARGET_MS:.0f}), {len(errors)} errors (0), "
                  f"{present}/{len(users)} claims present once, {len(done) / elapsed:.1f} claims/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="a running system (with --gateway-database-url to add the users)")
    parser.add_argument("--gateway-database-url")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--minutes", type=float, default=20.0, help="the users arrive over this many minutes")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a user spends on each page")
    parser.add_argument("--concurrency", type=int, help="saturation instead: this many users at once, no time "
                                                        "on a page")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and the services' logs")
    parser.add_argument("--claims", type=int, default=100_000, help="seeded claims (schools: claims / 5, ≤ 20,000)")
    args = parser.parse_args()
    if args.url:
        users = asyncio.run(create_users(args.gateway_database_url, args.users, 100_001))
        asyncio.run(run(args.url, users=users, concurrency=args.concurrency, minutes=args.minutes,
                        think=args.think))
        return
    import subprocess

    from claimflow.runtime import free_port

    port = free_port()
    stack = Stack(data_dir=Path(tempfile.mkdtemp(prefix="claimflow-school-peak-")), gateway_port=port, seed=False,
                  extra_env={"GATEWAY_SIGN_IN_RATE_LIMIT": "100000", "GATEWAY_SIGN_IN_CLIENT_RATE_LIMIT": "100000",
                             **{f"{n}_PORT": str(free_port()) for n in ("CLAIMS", "SAMPLING", "PAYMENTS", "NOTIFY")}})
    try:
        stack.start()
        subprocess.run([sys.executable, "-m", "claimflow", "seed", "--claims", str(args.claims)], env=stack.env,
                       check=True)
        schools = max(20, min(args.claims // 5, 20_000))
        if args.users > schools:
            raise SystemExit(f"--users {args.users} needs as many schools; --claims {args.claims} seeds {schools}")
        # the users' schools are the last seeded ones (the demo school 100001 keeps its own claims)
        users = asyncio.run(create_users(stack.env["GATEWAY_DATABASE_URL"], args.users, 100_001 + schools - args.users))
        asyncio.run(run(f"http://127.0.0.1:{port}", users=users, concurrency=args.concurrency,
                        minutes=args.minutes, think=args.think))
    finally:
        stack.stop()
        if args.keep:
            print(f"data and logs kept in {stack.data_dir}")
        else:
            shutil.rmtree(stack.data_dir, ignore_errors=True)  # about 200 MB of PostgreSQL data


if __name__ == "__main__":
    main()
