"""A site served by `liangxin serve` on throwaway PostgreSQL databases, for the fault and
replica tests (skipped when PostgreSQL does not answer)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.production.webclient import wait_until_up

ROOT = Path(__file__).parents[2]
LIANGXIN = str(Path(sys.executable).with_name("liangxin"))
SERVER = os.environ.get("LIANGXIN_FAULT_PG", "postgres://postgres@127.0.0.1:5432")


def admin():
    try:
        return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"PostgreSQL {SERVER} 无响应：跳过此测试")


@contextlib.contextmanager
def databases():
    """A fresh empty database, dropped afterwards: yields (its name,)."""
    name = f"lx_site_{uuid.uuid4().hex[:8]}"
    with admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (name,)
    finally:
        with admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(var: Path, database: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "LIANGXIN_", "DJANGO_"))}
    env.update(LIANGXIN_VAR_DIR=str(var), DATABASE_URL=f"{SERVER}/{database}", PYTHONPATH=str(ROOT),
               LIANGXIN_WORKERS="1", LIANGXIN_ACCESS_LOG="", LIANGXIN_TASKS="immediate", **extra)  # fmt: skip
    return env


def prepare(env: dict, script: str) -> None:
    """Migrate, load the city, collect static files, then run `script` (Django shell code)."""
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["setup", "--city", "360800", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["shell", "-c", script],
    ):
        subprocess.run([LIANGXIN, *command], env=env, check=True, timeout=600, capture_output=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict, log_path: Path):
    """`liangxin serve` on a free loopback port: (base URL, the master process)."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen([LIANGXIN, "serve", "--bind", f"127.0.0.1:{port}"], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base)
            yield base, process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
