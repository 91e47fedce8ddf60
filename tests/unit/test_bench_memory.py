"""bench/load.py's memory meter: a page shared by several processes of the stack is resident once,
though each process's RSS counts it (issue #9's memory target is for the stack's resident pages)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.load import stack_memory

MIB = 2**20
# A parent touching 64 MiB of shared memory and 16 MiB of its own, and a child touching the same
# shared 64 MiB and 16 MiB of its own: 96 MiB resident between them, 160 MiB of RSS.
SCRIPT = """
import mmap, os, sys, time
shared = mmap.mmap(-1, 64 << 20, flags=mmap.MAP_SHARED)
shared.write(b"s" * (64 << 20))
if os.fork() == 0:
    shared.seek(0); shared.read(64 << 20)
    own = bytearray(b"c" * (16 << 20))
    print("child", flush=True); time.sleep(60); sys.exit(0)
own = bytearray(b"p" * (16 << 20))
time.sleep(60)
"""


def test_shared_pages_are_resident_once_though_every_process_counts_them_in_its_rss():
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "child"
        time.sleep(0.5)  # the parent's own 16 MiB
        memory = stack_memory([proc.pid])
        assert memory.rss >= 160 * MIB
        assert memory.pss < memory.rss - 48 * MIB  # the shared 64 MiB split between two
        if os.geteuid() != 0:
            assert memory.resident is None  # page frames read as 0 without CAP_SYS_ADMIN
            return
        # 96 MiB plus two interpreters' own pages; the shared 64 MiB not counted twice.
        assert 96 * MIB <= memory.resident < memory.rss - 56 * MIB
        assert "each page once" in memory.describe()
    finally:
        proc.kill()
        proc.wait()


def test_a_process_that_ended_is_left_out():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    memory = stack_memory([proc.pid])
    assert (memory.pss, memory.rss) == (0, 0)
