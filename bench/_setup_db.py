"""Helpers for the benchmarks: a throwaway SQLite or PostgreSQL database with the city loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LIANGXIN = str(Path(sys.executable).with_name("liangxin"))


PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def env_for(db: Path | str) -> dict[str, str]:
    """`db`: a SQLite file, or a PostgreSQL URL."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db if isinstance(db, str) else f"sqlite:///{db}",
        LIANGXIN_VAR_DIR=str(OUT / "var"),
        LIANGXIN_UPLOAD_MAX_MB="2000",
        ALLOWED_HOSTS="testserver,127.0.0.1",
    )
    return env


def fresh_db(name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    subprocess.run([LIANGXIN, "migrate", "-v", "0"], env=env_for(db), check=True)
    subprocess.run([LIANGXIN, "setup", "--city", "360800"], env=env_for(db), check=True, capture_output=True)
    return db


def postgres_available() -> bool:
    import psycopg

    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def fresh_pg(name: str) -> str:
    """A new PostgreSQL database `lx_bench_<name>` on BENCH_PG, migrated, with the city."""
    import psycopg

    database = f"lx_bench_{name}".replace("-", "_")
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        conn.execute(f'CREATE DATABASE "{database}"')
    url = f"{PG_SERVER}/{database}"
    subprocess.run([LIANGXIN, "migrate", "-v", "0"], env=env_for(url), check=True)
    subprocess.run([LIANGXIN, "setup", "--city", "360800"], env=env_for(url), check=True, capture_output=True)
    return url


def run_child(db: Path | str, code: str) -> dict:
    """Run `code` in a fresh Python with Django set up on `db`; it prints one JSON line."""
    prologue = "import django, json, resource, time, os; django.setup()\n"
    epilogue = (
        "\nprint(json.dumps(RESULT | {'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    env = env_for(db) | {"DJANGO_SETTINGS_MODULE": "liangxin.settings"}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", prologue + code + epilogue],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    return result


def logged_in(client, user):
    """A test client past the login and the office's compulsory second factor (an enrolled
    authenticator), for the page benchmarks."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="基准测试", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
