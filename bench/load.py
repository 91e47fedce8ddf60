"""Load: 50 concurrent signed-in support users search, open claims and upload files against the
running system (gateway → services); reports p50/p95/p99 latency and errors (target p95 < 300 ms,
0 errors), and the whole embedded stack's memory at rest and under load (target ≤ 1.5 GB).

How the load is made (so the figure means something):
- ``--users`` distinct support users (``load-NN@example.com``, created in the gateway's user store
  the way ``claimflow users add`` does), each signed in with its own token.
- Realistic phase: each user does one action, then reads the page for a think time drawn uniformly
  from ``--think`` (default 0.5–1.5 s), then the next: 60 % searches, 30 % claim details, 10 %
  sampling uploads (validated, then cancelled). 50 users offer roughly 50 actions/s.
- Closed-loop phase (``--closed-seconds``, 0 to skip): the same users with no think time, every user
  firing its next request as soon as the last one answered: the system's maximum throughput on this
  machine, with the latency that rate costs. Reported separately.
- The generator is aiohttp (lighter per request than httpx); its own CPU use is printed, because it
  runs on the same cores as the system.
- Memory of every process of the stack, children (PostgreSQL backends) included, three ways:
  resident (each physical page resident in any of them counted once, read from /proc/PID/pagemap:
  the RAM the stack holds, and the figure the target is for; needs root); PSS (proportional set size:
  shared pages divided among their sharers); and RSS summed per process (shared pages such as
  PostgreSQL's shared buffers counted once for every backend that touched them: an over-estimate
  that grows with the number of connections, not with the memory used).

    python bench/load.py                     # starts the system itself (throwaway data dir)
    python bench/load.py --url http://127.0.0.1:8000 --gateway-database-url postgresql+asyncpg://... --pids ...

Options: --users 50 --seconds 20 --closed-seconds 10 --claims 5000 --think 0.5 1.5
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import sys
import tempfile
import time
from array import array
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import percentile, report_result  # noqa: E402
from claimflow.stack import DEMO_PASSWORD, Stack  # noqa: E402

LOAD_PASSWORD = "load-test-password"


PAGE = os.sysconf("SC_PAGE_SIZE")
_PRESENT = 1 << 63  # /proc/PID/pagemap: bit 63 page present, bits 0-54 its page frame number
_FRAME = (1 << 55) - 1


def _frames(pid: int) -> set[int]:
    """The physical page frames ``pid`` has resident (needs CAP_SYS_ADMIN, else every frame reads 0)."""
    frames: set[int] = set()
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb", buffering=0) as pagemap:
        for line in maps:
            low, high = (int(x, 16) for x in line.split(None, 1)[0].split("-"))
            pagemap.seek(low // PAGE * 8)
            try:
                entries = array("Q", pagemap.read((high - low) // PAGE * 8))
            except OSError:  # [vsyscall] and the like
                continue
            frames.update(e & _FRAME for e in entries if e & _PRESENT)
    return frames


def _family(pids: list[int]) -> list[psutil.Process]:
    """``pids`` and all their descendants, each once."""
    seen: dict[int, psutil.Process] = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for proc in (root, *root.children(recursive=True)):
                seen.setdefault(proc.pid, proc)
        except psutil.NoSuchProcess:
            continue
    return list(seen.values())


@dataclass(frozen=True)
class Memory:
    """The stack's memory in bytes. ``resident``: every physical page resident in any of its
    processes, counted once, from /proc/PID/pagemap (what the stack holds of the machine's RAM;
    None without the right to read page frames). ``pss``: proportional set sizes summed (shared
    pages split among their sharers, so pages shared with processes outside the stack are partly
    left out). ``rss``: resident set sizes summed, every shared page (PostgreSQL's shared buffers,
    libraries) counted once per process that maps it: an over-estimate."""

    resident: int | None
    pss: int
    rss: int

    def peak(self, other: "Memory") -> "Memory":
        """The larger of each figure."""
        resident = None if self.resident is None or other.resident is None else max(self.resident, other.resident)
        return Memory(resident, max(self.pss, other.pss), max(self.rss, other.rss))

    def describe(self) -> str:
        resident = "n/a (reading page frames needs root)" if self.resident is None else _mib(self.resident)
        return f"resident {resident} (each page once), PSS {_mib(self.pss)}, RSS summed per process {_mib(self.rss)}"


def stack_memory(pids: list[int]) -> Memory:
    """The memory of ``pids`` and all their descendants (PostgreSQL's backends)."""
    frames: set[int] = set()
    pss = rss = 0
    for proc in _family(pids):
        try:
            info = proc.memory_full_info()
            frames |= _frames(proc.pid)
        except (psutil.Error, OSError):  # ended meanwhile, or not ours to read
            continue
        pss += info.pss
        rss += info.rss
    readable = any(frames)  # without the right, every frame reads as 0
    return Memory(len(frames) * PAGE if readable else None, pss, rss)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


async def create_users(database_url: str, count: int) -> list[str]:
    from services.gateway.users import UserStore
    from shared.platform.db import make_engine

    engine = make_engine(database_url, pool_size=1)
    try:
        store = UserStore(engine)
        emails = [f"load-{i:02d}@example.com" for i in range(count)]
        for email in emails:
            await store.save_user(email=email, password=LOAD_PASSWORD, role="support")
        return emails
    finally:
        await engine.dispose()


async def sign_in(session: aiohttp.ClientSession, url: str, email: str, password: str) -> str:
    async with session.post(f"{url}/api/v1/auth/token", json={"email": email, "password": password}) as r:
        body = await r.json()
        if r.status != 200:
            raise RuntimeError(f"sign-in of {email} failed: {r.status} {body}")
        return body["access_token"]


async def user(session: aiohttp.ClientSession, url: str, token: str, *, stop_at: float, think: tuple[float, float],
               samples, errors, refs: list[str], upload: bytes) -> None:
    rng = random.Random()
    headers = {"Authorization": f"Bearer {token}"}
    if think[1] > 0:
        await asyncio.sleep(rng.uniform(0, think[1]))  # users do not all start on the same millisecond
    while time.monotonic() < stop_at:
        kind = rng.choices(["search", "detail", "upload"], [6, 3, 1])[0]
        t0 = time.perf_counter()
        status: int | str
        try:
            if kind == "search":
                params = rng.choice([{}, {"status": "paid"}, {"q": rng.choice(refs)[:5]}, {"sort": "amount", "order": "asc"},
                                     {"page": str(rng.randint(1, 20))}])
                async with session.get(f"{url}/api/v1/claims", params=params, headers=headers) as r:
                    await r.read()
                    status = r.status
                ok = status == 200
            elif kind == "detail":
                async with session.get(f"{url}/api/v1/claims/{rng.choice(refs)}", headers=headers) as r:
                    await r.read()
                    status = r.status
                ok = status == 200
            else:
                form = aiohttp.FormData()
                form.add_field("file", upload, filename="sample.csv", content_type="text/csv")
                async with session.post(f"{url}/api/v1/sampling/uploads", data=form, headers=headers) as r:
                    body = await r.json() if r.status == 201 else await r.read()
                    status = r.status
                if status == 201:
                    async with session.post(f"{url}/api/v1/sampling/uploads/{body['upload_id']}/cancel",
                                            headers=headers) as c:
                        await c.read()
                ok = status in (201, 422)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            ok, status = False, type(exc).__name__
        samples[kind].append(time.perf_counter() - t0)
        if not ok:
            errors.append(f"{kind}: {status}")
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(*think))


async def phase(name: str, session, url: str, tokens: list[str], *, seconds: float, think: tuple[float, float],
                refs: list[str], upload: bytes, pids: list[int], meter: ProcessPoolExecutor) -> tuple[Memory, float, int]:
    """Run the users for ``seconds``; the peak memory, the p95 of every request in ms, the errors."""
    samples: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    peak: Memory | None = None

    async def watch_memory():
        # In a process of its own: reading every process's page frames takes 0.1-0.2 s of CPU, which
        # in a thread would hold the generator's interpreter lock and add to the latencies measured;
        # every 3 s, so the meter takes a few per cent of one core from the system it measures.
        nonlocal peak
        while time.monotonic() < stop_at:
            now = await asyncio.get_running_loop().run_in_executor(meter, stack_memory, pids)
            peak = now if peak is None else peak.peak(now)
            await asyncio.sleep(3)

    cpu0, started = os.times(), time.perf_counter()
    await asyncio.gather(watch_memory(), *(user(session, url, t, stop_at=stop_at, think=think, samples=samples,
                                                 errors=errors, refs=refs, upload=upload) for t in tokens))
    elapsed, cpu1 = time.perf_counter() - started, os.times()
    generator_cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    every = [s for v in samples.values() for s in v]
    print(f"\n{name}: {len(tokens)} users for {elapsed:.0f}s: {len(every):,} requests ({len(every) / elapsed:,.0f}/s), "
          f"{len(errors)} errors; load generator CPU {generator_cpu:.1f}s ({generator_cpu / elapsed:.0%} of one core); "
          f"load average {os.getloadavg()[0]:.2f}")
    for kind, values in sorted(samples.items()):
        ms = [v * 1000 for v in values]
        print(f"  {kind:<7} n={len(ms):>6,} p50={percentile(ms, 50):6.1f}ms p95={percentile(ms, 95):6.1f}ms "
              f"p99={percentile(ms, 99):6.1f}ms")
    ms = [v * 1000 for v in every]
    print(f"  ALL     n={len(ms):>6,} p50={percentile(ms, 50):6.1f}ms p95={percentile(ms, 95):6.1f}ms "
          f"p99={percentile(ms, 99):6.1f}ms   (target p95 < 300 ms, 0 errors)")
    print(f"  memory under load (peak of each): {peak.describe()}   (target ≤ 1,536 MiB)")
    if errors:
        print("  first errors:", errors[:10])
    return peak, percentile(ms, 95), len(errors)


async def run(url: str, *, users: int, seconds: float, closed_seconds: float, think: tuple[float, float],
              pids: list[int], gateway_database_url: str | None) -> None:
    url = url.rstrip("/")
    connector = aiohttp.TCPConnector(limit=users, limit_per_host=users)
    # The meter runs in a process of its own (see ``phase``).
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as meter:
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
            if gateway_database_url:
                emails = await create_users(gateway_database_url, users)
                tokens = [await sign_in(session, url, e, LOAD_PASSWORD) for e in emails]
            else:
                print("no --gateway-database-url: every virtual user shares the demo support user's sign-in")
                tokens = [await sign_in(session, url, "support@example.com", DEMO_PASSWORD)] * users
            async with session.get(f"{url}/api/v1/claims", params={"per_page": "200", "status": "paid"},
                                   headers={"Authorization": f"Bearer {tokens[0]}"}) as r:
                page = await r.json()
            refs = [i["reference"] for i in page["items"]] or ["00000000"]
            upload = ("claim_reference,sample_reason\n" + "".join(f"{r},Random sample\n" for r in refs[:50])).encode()
            print(f"memory at rest: {stack_memory(pids).describe()} over {len(pids)} processes and their children "
                  f"(target ≤ 1,536 MiB)", flush=True)
            peak, p95, errors = await phase(f"realistic (think time {think[0]}–{think[1]} s)", session, url, tokens,
                                            seconds=seconds, think=think, refs=refs, upload=upload, pids=pids,
                                            meter=meter)
            if closed_seconds > 0:
                await phase("closed loop (no think time: maximum throughput)", session, url, tokens,
                            seconds=closed_seconds, think=(0.0, 0.0), refs=refs, upload=upload, pids=pids,
                            meter=meter)
    # The target is for the realistic load; without root the resident pages are unknown: PSS stands in.
    held, kind = (peak.pss, "PSS") if peak.resident is None else (peak.resident, "resident")
    report_result("load", p95 < 300 and errors == 0 and held <= 1536 * 2**20,
                  f"p95 {p95:.1f} ms (< 300), {errors} errors (0), peak {kind} {_mib(held)} (≤ 1,536 MiB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--gateway-database-url", help="with --url: where to create the load users")
    parser.add_argument("--pids", nargs="*", type=int, default=[], help="process ids of a stack you started")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--closed-seconds", type=float, default=10)
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"))
    parser.add_argument("--claims", type=int, default=5000)
    args = parser.parse_args()
    options = dict(users=args.users, seconds=args.seconds, closed_seconds=args.closed_seconds, think=tuple(args.think))
    if args.url:
        asyncio.run(run(args.url, pids=args.pids, gateway_database_url=args.gateway_database_url, **options))
        return
    from claimflow.runtime import free_port

    port = free_port()
    stack = Stack(data_dir=Path(tempfile.mkdtemp(prefix="claimflow-load-")), gateway_port=port, seed=False,
                  extra_env={"GATEWAY_SIGN_IN_RATE_LIMIT": "1000", **{f"{n}_PORT": str(free_port())
                             for n in ("CLAIMS", "SAMPLING", "PAYMENTS", "NOTIFY")}})
    try:
        stack.start()
        import subprocess
        subprocess.run([sys.executable, "-m", "claimflow", "seed", "--claims", str(args.claims)], env=stack.env,
                       check=True)
        time.sleep(min(5.0, 1 + args.claims / 5000))  # let the projections catch up with the seed's events
        pids = [p.proc.pid for p in stack.processes] + [stack.pg.proc.pid, stack.broker.proc.pid]
        asyncio.run(run(f"http://127.0.0.1:{port}", pids=pids, gateway_database_url=stack.env["GATEWAY_DATABASE_URL"],
                        **options))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
