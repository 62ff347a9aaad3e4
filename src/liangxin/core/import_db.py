"""The session of an import: one import writes at a time, with large page caches and fewer
garbage collections."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection


@contextlib.contextmanager
def bulk_session():
    """Around one import: fewer garbage collections (`_fewer_collections`) and, on SQLite, large
    page caches for the import's reads, its staging tables and its final merge; then the
    process's and the connection's own settings again."""
    with _fewer_collections():
        if connection.vendor != "sqlite":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA main.cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA temp.cache_size")
            temp_cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA main.cache_size = -262144")  # up to 256 MB, only as pages are used
            # the staging tables live in the temp database, whose own cache is 2 MB by default
            cursor.execute("PRAGMA temp.cache_size = -131072")  # 128 MB
            # Debian's SQLite overwrites deleted content with zeros (SECURE_DELETE): dropping the
            # staging tables would zero every page they used, in a temp file nobody else can
            # read and that goes away with the connection. Not for the temp database.
            cursor.execute("PRAGMA temp.secure_delete")
            secure_delete = cursor.fetchone()[0]
            cursor.execute("PRAGMA temp.secure_delete = 0")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA main.cache_size = {int(cache_size)}")
                cursor.execute(f"PRAGMA temp.cache_size = {int(temp_cache_size)}")
                cursor.execute(f"PRAGMA temp.secure_delete = {int(secure_delete)}")


@contextlib.contextmanager
def _fewer_collections():
    """An import makes millions of short-lived rows, records and tuples, freed by reference
    counting (none of them are in cycles); Python's cycle collector, run every 700 new objects
    and now and then over everything the process holds, costs a fifth of the import. So the
    objects already there are set aside (`gc.freeze`) and the collector runs less often."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


IMPORT_BUSY = "另一个文件正在导入，已等待 {seconds} 秒仍未完成，请等它完成后再试"


def _lock_file() -> Path:
    """Beside the SQLite file; for an in-memory database (tests), one per process."""
    name = str(connection.settings_dict["NAME"])
    if ":memory:" in name or "mode=memory" in name:
        return Path(tempfile.gettempdir()) / f"liangxin-import-memory-{os.getpid()}.lock"
    if not name.startswith("file:"):
        return Path(f"{name}.import-lock")
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"liangxin-import-{digest}.lock"


class ImportBusy(Exception):
    """Another import kept writing for longer than this one would wait; the message is Chinese."""


@contextlib.contextmanager
def one_import_at_a_time(wait: float | None = None):
    """Imports that write never overlap (each plans against the registry as it is): the second
    waits for the first, up to LIANGXIN_IMPORT_WAIT_SECONDS, then gets a Chinese message.
    PostgreSQL: a session advisory lock; SQLite: a lock on a file beside the database. Either
    goes away with the process that holds it."""
    wait = settings.LIANGXIN_IMPORT_WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait

    def waited() -> None:
        if time.monotonic() >= deadline:
            raise ImportBusy(IMPORT_BUSY.format(seconds=int(wait)))
        time.sleep(0.2)

    if connection.vendor == "postgresql":
        key = 0x6C78_696D  # "lxim"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            while not cursor.fetchone()[0]:
                waited()
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    import fcntl  # Unix only, like the deployment

    with open(_lock_file(), "a+b") as fh:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
