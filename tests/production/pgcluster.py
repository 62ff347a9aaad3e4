"""Throwaway PostgreSQL clusters on loopback for the replica and province tests: a primary
(`initdb`, `wal_level = replica`, replication allowed from 127.0.0.1 without a password) and its
streaming standby (`pg_basebackup -R`), each on a free port, in a temporary directory.

`initdb` and `postgres` refuse to run as root: when the tests run as root the commands run as
the `postgres` user (`runuser`), and the directory is given to it. A cluster is stopped with
`pg_ctl stop -m immediate` when its `with` block ends, also when the test failed, and the
directory removed. The binaries are Debian's (`/usr/lib/postgresql/<version>/bin`, not on PATH);
without them the test is skipped, saying so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

OWNER = "postgres"  # the system account that owns and runs the clusters when we are root


def binaries() -> Path | None:
    """The newest installed server's bin directory holding initdb, pg_ctl and pg_basebackup."""
    found = []
    for bin_dir in Path("/usr/lib/postgresql").glob("*/bin"):
        if all((bin_dir / name).exists() for name in ("initdb", "pg_ctl", "pg_basebackup", "postgres")):
            with contextlib.suppress(ValueError):
                found.append((int(bin_dir.parent.name), bin_dir))
    return max(found)[1] if found else None


def require_binaries() -> Path:
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("没有 PostgreSQL 服务器程序（/usr/lib/postgresql/<版本>/bin/initdb 等）：跳过此测试")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("以 root 运行而没有 runuser，无法以 postgres 用户启动 PostgreSQL：跳过此测试")
    return bin_dir


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", OWNER, "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], timeout: float = 120) -> None:
    result = subprocess.run(_as_owner(command), capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} 失败（{result.returncode}）：{result.stderr or result.stdout}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    bin: Path
    data: Path
    port: int
    log: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres", **options) -> psycopg.Connection:
        return psycopg.connect(self.url(database), autocommit=True, connect_timeout=10, **options)

    def pid(self) -> int | None:
        """The postmaster's process id while it runs (its pid file)."""
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def start(self) -> None:
        _run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start"])

    def stop(self) -> None:
        """`pg_ctl stop -m immediate`, then wait until the postmaster has really exited (its pid
        file goes first), so its port is free when this returns."""
        pid = self.pid()
        if pid is None:
            return
        _run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"], timeout=60)
        wait_for(lambda: not running(pid), f"PostgreSQL 进程 {pid} 退出", timeout=30, interval=0.05)

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> list[str]:
        """The server log's lines written after `offset` (a `log_size()` taken before)."""
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace").splitlines()


def _settings(port: int, sockets: Path, extra: dict[str, str]) -> str:
    values = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(port),
        "unix_socket_directories": f"'{sockets}'",
        "wal_level": "replica",
        "max_wal_senders": "4",
        "hot_standby": "on",
        "max_connections": "40",
        "shared_buffers": "32MB",
        "fsync": "off",  # a throwaway cluster: losing it in a power cut loses nothing
        "synchronous_commit": "off",
        "full_page_writes": "off",
        **extra,
    }
    return "".join(f"{key} = {value}\n" for key, value in values.items())


class Clusters:
    """Makes clusters in one temporary directory; `close()` stops every one and removes it."""

    def __init__(self):
        self.bin = require_binaries()
        self.root = Path(tempfile.mkdtemp(prefix="lx_pgcluster_"))
        if os.geteuid() == 0:
            shutil.chown(self.root, OWNER, OWNER)
        self.sockets = self.root / "sockets"
        _run(["mkdir", str(self.sockets)])
        self.made: list[Cluster] = []

    def primary(self, name: str, **settings: str) -> Cluster:
        """A new cluster (`initdb`), started: allows replication connections from 127.0.0.1."""
        data = self.root / name
        cluster = Cluster(self.bin, data, free_port(), self.root / f"{name}.log")
        _run([str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        self._append(data / "postgresql.conf", _settings(cluster.port, self.sockets, settings))
        self._append(data / "pg_hba.conf", "host replication all 127.0.0.1/32 trust\n")
        self.made.append(cluster)
        cluster.start()
        return cluster

    def standby(self, primary: Cluster, name: str, **settings: str) -> Cluster:
        """A streaming standby of `primary` (`pg_basebackup -R`: standby.signal and
        primary_conninfo written for us), started on its own port."""
        data = self.root / name
        cluster = Cluster(self.bin, data, free_port(), self.root / f"{name}.log")
        _run([str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
              "-D", str(data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"], timeout=300)  # fmt: skip
        self._append(data / "postgresql.conf", _settings(cluster.port, self.sockets, settings))
        self.made.append(cluster)
        cluster.start()
        return cluster

    def _append(self, path: Path, text: str) -> None:
        # the file belongs to the cluster's owner; root may write it, and it stays theirs
        with path.open("a") as handle:
            handle.write(text)

    def close(self) -> None:
        errors = []
        for cluster in reversed(self.made):
            try:
                cluster.stop()
            except Exception as exc:
                errors.append(exc)
        shutil.rmtree(self.root, ignore_errors=True)
        if errors:
            raise errors[0]


@contextlib.contextmanager
def clusters():
    """`with clusters() as made: made.primary("a")…` — every cluster stopped afterwards."""
    made = Clusters()
    try:
        yield made
    finally:
        made.close()


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_for(predicate, what: str, timeout: float = 30.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"等待超时（{timeout:.0f} 秒）：{what}")
        time.sleep(interval)


def caught_up(primary: Cluster, standby: Cluster, database: str = "postgres") -> bool:
    """Whether the standby has replayed everything the primary has written so far."""
    with primary.connect(database) as conn:
        (lsn,) = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
    with standby.connect(database) as conn:
        return bool(conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (str(lsn),)).fetchone()[0])
