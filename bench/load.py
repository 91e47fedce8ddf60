"""Load: 50 concurrent signed-in support users search, open claims and upload files against the
running system; reports p50/p95/p99 latency and errors (target p95 < 300 ms, 0 errors), and the
whole embedded stack's memory (RSS of every process) at rest and under load (target ≤ 1.5 GB).

    python bench/load.py                     # starts the system itself (throwaway data dir)
    python bench/load.py --url http://127.0.0.1:8000 --pids-from .claimflow   # a system you started

Options: --users 50 --seconds 30 --claims 20000 (demo data size when it starts the system).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import percentile  # noqa: E402
from claimflow.stack import DEMO_PASSWORD, Stack  # noqa: E402


def stack_rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            total += proc.memory_info().rss
            total += sum(c.memory_info().rss for c in proc.children(recursive=True))
        except psutil.NoSuchProcess:
            pass
    return total


async def user(client: httpx.AsyncClient, stop_at: float, samples, errors, refs: list[str], upload: bytes) -> None:
    rng = random.Random()
    while time.monotonic() < stop_at:
        kind = rng.choices(["search", "detail", "upload"], [6, 3, 1])[0]
        t0 = time.perf_counter()
        try:
            if kind == "search":
                params = rng.choice([{}, {"status": "paid"}, {"q": rng.choice(refs)[:5]}, {"sort": "amount", "order": "asc"},
                                     {"page": rng.randint(1, 20)}])
                r = await client.get("/api/v1/claims", params=params)
            elif kind == "detail":
                r = await client.get(f"/api/v1/claims/{rng.choice(refs)}")
            else:
                r = await client.post("/api/v1/sampling/uploads", files={"file": ("sample.csv", upload, "text/csv")})
                if r.status_code == 201:
                    await client.post(f"/api/v1/sampling/uploads/{r.json()['upload_id']}/cancel")
            ok = r.status_code < 500 and (kind != "upload" or r.status_code in (201, 422))
            if kind != "upload" and r.status_code != 200:
                ok = False
        except httpx.HTTPError as exc:
            ok, r = False, exc
        samples[kind].append(time.perf_counter() - t0)
        if not ok:
            errors.append(f"{kind}: {getattr(r, 'status_code', r)}")


async def run(url: str, users: int, seconds: float, pids: list[int]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as anon:
        token = (await anon.post("/api/v1/auth/token", json={"email": "support@example.com",
                                                             "password": DEMO_PASSWORD})).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=headers, limits=limits) as client:
        page = (await client.get("/api/v1/claims", params={"per_page": 200, "status": "paid"})).json()
        refs = [i["reference"] for i in page["items"]] or ["00000000"]
        upload = ("claim_reference,sample_reason\n" + "".join(f"{r},Random sample\n" for r in refs[:50])).encode()
        rest = stack_rss(pids)
        print(f"memory at rest: {rest / 2**20:,.0f} MiB over {len(pids)} processes", flush=True)
        samples: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        stop_at = time.monotonic() + seconds
        peak = rest

        async def watch_memory():
            nonlocal peak
            while time.monotonic() < stop_at:
                peak = max(peak, stack_rss(pids))
                await asyncio.sleep(1)

        started = time.perf_counter()
        await asyncio.gather(watch_memory(), *(user(client, stop_at, samples, errors, refs, upload) for _ in range(users)))
        elapsed = time.perf_counter() - started
    every = [s for v in samples.values() for s in v]
    print(f"\n{users} users for {elapsed:.0f}s: {len(every):,} requests ({len(every) / elapsed:,.0f}/s), "
          f"{len(errors)} errors")
    for kind, values in sorted(samples.items()):
        ms = [v * 1000 for v in values]
        print(f"  {kind:<7} n={len(ms):>6,} p50={percentile(ms, 50):6.1f}ms p95={percentile(ms, 95):6.1f}ms "
              f"p99={percentile(ms, 99):6.1f}ms")
    ms = [v * 1000 for v in every]
    print(f"  ALL     n={len(ms):>6,} p50={percentile(ms, 50):6.1f}ms p95={percentile(ms, 95):6.1f}ms "
          f"p99={percentile(ms, 99):6.1f}ms   (target p95 < 300 ms, 0 errors)")
    print(f"memory under load (peak): {peak / 2**20:,.0f} MiB   (target ≤ 1,536 MiB)")
    if errors:
        print("first errors:", errors[:10])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--pids", nargs="*", type=int, default=[], help="process ids of a stack you started")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--claims", type=int, default=20000)
    args = parser.parse_args()
    if args.url:
        asyncio.run(run(args.url, args.users, args.seconds, args.pids))
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
        time.sleep(5)  # let the projections catch up with the seed's events
        pids = [p.proc.pid for p in stack.processes] + [stack.pg.proc.pid, stack.broker.proc.pid]
        asyncio.run(run(f"http://127.0.0.1:{port}", args.users, args.seconds, pids))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
