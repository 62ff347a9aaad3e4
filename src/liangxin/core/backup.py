"""Backup and restore of a whole installation: the database (with the audit chain, the published
bulletins and uploaded templates, which live in it), the uploaded files under MEDIA_ROOT
(attachments, import uploads) and the generated secret key file.

An archive is a gzipped tar: ``manifest.json`` first (format, database engine, applied
migrations, the audit chain's length and last hash, and the size and sha256 of every other
member), then ``database/liangxin.sqlite3`` (SQLite's online backup API: a consistent copy while
the site runs) or ``database/liangxin.pgdump`` (``pg_dump -Fc``), ``media/…`` and ``secret_key``.

Restore checks the whole archive before it changes anything: every member is named by the
manifest with its size and hash, no member is missing or extra, no name leaves the staging
folder, the engine matches and no migration is newer than this code. Then the database is
replaced in one step (SQLite: the backup API into the live database, one write transaction;
PostgreSQL: ``pg_restore --single-transaction``), and only after that succeeds are the media
folder and the secret key swapped in by renames. A failure before the database step leaves
everything as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from liangxin.core import audit, effects
from liangxin.core.models import AuditChainHead, AuditLog

FORMAT = "liangxin-backup"
VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database/liangxin.sqlite3", "postgresql": "database/liangxin.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Chinese)."""


@dataclass
class Summary:
    path: Path
    engine: str
    files: int
    audit_records: int
    size: int = 0
    notes: list[str] = field(default_factory=list)


Progress = Callable[[int, int], None]  # (bytes done, bytes in all): a terminal's bar


class _Tally:
    """Bytes read so far of a known total, told to `progress` (when there is one)."""

    def __init__(self, total: int, progress: Progress | None):
        self.total, self.progress, self.done = total, progress, 0

    def add(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)


class _Counted:
    """A file whose reads are tallied (the archive reads each member through it)."""

    def __init__(self, handle, tally: _Tally):
        self.handle, self.tally = handle, tally

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.tally.add(len(data))
        return data


def _sha256(path: Path, tally: _Tally | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if tally is not None:
                tally.add(len(chunk))
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"不支持备份 {vendor} 数据库")
    return vendor


def _pg_environment() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGCONNECT_TIMEOUT": "10"}
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(name):
            env[key] = str(db[name])
    return env


def _run(command: list[str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"找不到 {command[0]}：请安装与数据库同版本的 PostgreSQL 客户端（postgresql-client）"
        )
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            f"{what}失败（{command[0]} 退出码 {result.returncode}）：{result.stderr.strip()[-800:]}"
        )


def _dump_database(engine: str, target: Path) -> None:
    if engine == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # The online backup API: a consistent copy while other processes keep writing.
            connection.connection.backup(copy)
        finally:
            copy.close()
    else:
        _run(["pg_dump", "--format=custom", "--compress=6", f"--file={target}"], "导出数据库（pg_dump）")


def _applied_migrations() -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [list(row) for row in cursor.fetchall()]


def _media_files() -> list[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append((path, "media/" + path.relative_to(root).as_posix()))
    return found


def backup(output: Path, *, actor=None, progress: Progress | None = None) -> Summary:
    """Write the archive to ``output`` (through a temporary file: a failed backup leaves no
    archive that looks whole). `progress` hears the bytes hashed and archived after the
    database's copy (twice the members' size in all)."""
    engine = _engine()
    output = Path(output)
    if output.exists() and output.is_dir():
        raise BackupError(f"{output} 是一个文件夹，请给出备份文件名，例如 liangxin-备份.tar.gz")
    output.parent.mkdir(parents=True, exist_ok=True)
    # Recorded before the copy, so the archive's audit chain says it was taken.
    audit.record("core.backup.created", actor=actor, object_type="backup", object_repr=output.name[:200])
    head = AuditChainHead.objects.filter(pk=1).first()
    with tempfile.TemporaryDirectory(prefix="liangxin-backup-") as work:
        db_file = Path(work) / Path(DB_MEMBER[engine]).name
        _dump_database(engine, db_file)
        members: list[tuple[Path, str]] = [(db_file, DB_MEMBER[engine]), *_media_files()]
        key_file = Path(settings.SECRET_KEY_FILE)
        if key_file.is_file():
            members.append((key_file, "secret_key"))
        tally = _Tally(2 * sum(path.stat().st_size for path, _ in members), progress)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": timezone.now().isoformat(),
            "engine": engine,
            "migrations": _applied_migrations(),
            "audit": {
                "records": AuditLog.objects.count(),
                "last_hash": head.last_hash if head else "",
            },
            "members": [
                {"name": name, "size": path.stat().st_size, "sha256": _sha256(path, tally)}
                for path, name in members
            ],
        }
        manifest_file = Path(work) / MANIFEST
        manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial = output.with_name(output.name + ".partial")
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                archive.add(manifest_file, arcname=MANIFEST, recursive=False)
                for path, name in members:
                    with path.open("rb") as handle:
                        archive.addfile(archive.gettarinfo(path, arcname=name), _Counted(handle, tally))
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return Summary(output, engine, len(members) - 1, manifest["audit"]["records"], output.stat().st_size)


# --- Restore ----------------------------------------------------------------------------------


def _damaged(path: Path, reason: str) -> BackupError:
    return BackupError(f"备份文件 {path.name} 无法使用，未做任何恢复：{reason}")


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    try:
        first = archive.next()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _damaged(path, f"不是完整的 tar.gz 文件（{exc}）") from None
    if first is None or first.name != MANIFEST or not first.isfile():
        raise _damaged(path, "第一个成员不是 manifest.json（不是 liangxin backup 生成的备份）")
    try:
        manifest = json.loads(archive.extractfile(first).read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _damaged(path, f"manifest.json 无法读取（{exc}）") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(path, "manifest.json 不是 liangxin 备份清单")
    if manifest.get("version") != VERSION:
        raise _damaged(path, f"备份格式版本 {manifest.get('version')} 不受本程序支持（支持 {VERSION}）")
    members = manifest.get("members")
    if not isinstance(members, list) or not all(
        isinstance(m, dict) and isinstance(m.get("name"), str) and _safe_name(m["name"]) for m in members
    ):
        raise _damaged(path, "manifest.json 的成员清单格式不正确")
    return manifest


def _extract_and_check(path: Path, staging: Path, progress: Progress | None = None) -> dict:
    """Every member into ``staging``, each checked against the manifest (size, sha256);
    `progress` hears the bytes extracted of the manifest's total."""
    try:
        archive = tarfile.open(path, "r:gz")
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件 {path}") from None
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _damaged(path, f"不是 tar.gz 格式或已损坏（{exc}）") from None
    with archive:
        manifest = _read_manifest(archive, path)
        expected = {m["name"]: m for m in manifest["members"]}
        sizes = [m.get("size") for m in manifest["members"]]
        tally = _Tally(sum(n for n in sizes if isinstance(n, int)), progress)
        seen: set[str] = set()
        try:
            for index, member in enumerate(archive):
                name = member.name
                if index == 0:
                    continue  # the manifest, read above
                if name not in expected:
                    raise _damaged(path, f"含有清单之外的成员“{name}”")
                if name in seen:
                    raise _damaged(path, f"成员“{name}”重复出现")
                if not member.isfile():
                    raise _damaged(path, f"成员“{name}”不是普通文件")
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                source = archive.extractfile(member)
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                        tally.add(len(chunk))
                want = expected[name]
                if size != want.get("size") or digest.hexdigest() != want.get("sha256"):
                    raise _damaged(
                        path, f"成员“{name}”的内容与清单中的 sha256 校验值不符（文件被修改或损坏）"
                    )
                seen.add(name)
        except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
            raise _damaged(path, f"读取时出错，文件可能被截断或损坏（{exc}）") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise _damaged(path, f"缺少成员：{'、'.join(missing[:5])}")
    return manifest


def _check_compatible(manifest: dict, path: Path) -> str:
    engine = _engine()
    if manifest.get("engine") != engine:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"备份文件 {path.name} 来自 {names.get(manifest.get('engine'), manifest.get('engine'))} 数据库，"
            f"当前 DATABASE_URL 指向 {names[engine]}：只能恢复到同一种数据库，未做任何恢复"
        )
    if DB_MEMBER[engine] not in {m["name"] for m in manifest["members"]}:
        raise _damaged(path, "缺少数据库文件")
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    newer = [f"{app}.{name}" for app, name in manifest.get("migrations", []) if (app, name) not in known]
    if newer:
        raise BackupError(
            f"备份文件 {path.name} 来自更新版本的程序（本程序没有迁移 {'、'.join(newer[:3])}）："
            "请先升级程序再恢复，未做任何恢复"
        )
    return engine


def _restore_database(engine: str, staged: Path) -> None:
    if engine == "sqlite":
        source = sqlite3.connect(f"file:{staged}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("备份中的 SQLite 数据库未通过完整性检查，未做任何恢复")
            connection.ensure_connection()
            # One step: the live database's pages are replaced in one write transaction.
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()  # hold no lock that pg_restore's DROP would wait for
        _run(["pg_restore", "--list", str(staged)], "读取数据库备份（pg_restore --list）")
        _run(
            [
                "pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
                "--no-owner", "--no-privileges", f"--dbname={_pg_environment()['PGDATABASE']}", str(staged),
            ],
            "恢复数据库（pg_restore）",
        )  # fmt: skip


def _swap_in(staged: Path, target: Path) -> None:
    """Replace folder ``target`` by ``staged`` with renames (the old one kept until done)."""
    old = target.with_name(f"{target.name}.before-restore")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(staged, target)
    except OSError:
        if old.exists():
            os.replace(old, target)
        raise
    if old.exists():
        shutil.rmtree(old)


def restore(path: Path, *, actor=None, progress: Progress | None = None) -> Summary:
    path = Path(path)
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Staged beside MEDIA_ROOT, so the final swap is a rename on one file system.
    staging = Path(tempfile.mkdtemp(prefix=".liangxin-restore-", dir=media_root.parent))
    try:
        manifest = _extract_and_check(path, staging, progress)
        engine = _check_compatible(manifest, path)
        version_before = _figures_version_or_zero()
        _restore_database(engine, staging / DB_MEMBER[engine])
        effects.figures_version_after_restore(version_before)
        staged_media = staging / "media"
        staged_media.mkdir(exist_ok=True)
        _swap_in(staged_media, media_root)
        notes = []
        key = staging / "secret_key"
        if key.is_file():
            key_file = Path(settings.SECRET_KEY_FILE)
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key.chmod(0o600)
            os.replace(key, key_file)
            if os.environ.get("SECRET_KEY"):
                notes.append("已恢复密钥文件，但环境变量 SECRET_KEY 已设置，程序使用的是环境变量中的密钥")
            else:
                # From now on the restored key is the key (the next start reads it): the audit
                # record of this restore seals the chain's head with it, not with the old one.
                settings.SECRET_KEY = key_file.read_text().strip()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    audit.record(
        "core.backup.restored",
        actor=actor,
        object_type="backup",
        object_repr=path.name[:200],
        after={"created": manifest.get("created"), "records": manifest["audit"].get("records")},
    )
    files = sum(1 for m in manifest["members"] if m["name"].startswith("media/"))
    return Summary(path, engine, files, manifest["audit"].get("records", 0), path.stat().st_size, notes)


def _figures_version_or_zero() -> int:
    try:
        with transaction.atomic():
            return effects.figures_version()
    except DatabaseError:  # restoring into a database not migrated yet
        return 0


def default_name() -> str:
    return f"liangxin-备份-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
