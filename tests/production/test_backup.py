"""`liangxin backup` / `liangxin restore`: a round trip gives back every table's rows, every
uploaded file and the secret key, with an intact audit chain; a damaged archive is refused with a
Chinese message and nothing is restored."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from liangxin.core import audit, backup, effects
from liangxin.core.models import AuditLog, Installation
from liangxin.core.services import setup_installation
from liangxin.registry.models import Organization
from tests.conftest import CITY
from tests.registry.factories import make_org

pytestmark = pytest.mark.django_db(transaction=True)


def _tables() -> dict[str, list]:
    """Every table's rows, in a comparable form."""
    snapshot = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()
            ]
            snapshot[table] = sorted(rows, key=repr)
    return snapshot


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def site(settings, tmp_path):
    """A live city with organizations, audit records, uploaded files and a generated key."""
    Installation.current_city() or setup_installation(CITY)
    settings.SECRET_KEY_FILE = tmp_path / "var" / "secret_key"
    settings.SECRET_KEY_FILE.parent.mkdir(parents=True)
    settings.SECRET_KEY_FILE.write_text("备份前的密钥")
    settings.SECRET_KEY = "备份前的密钥"  # what a start reads when SECRET_KEY is not in the environment
    make_org("井冈山红色物流有限公司")
    make_org("吉州区社会工作服务中心")
    for n in range(3):
        audit.record(
            "registry.organization.updated", actor=None, object_type="test", object_repr=f"第{n}次修改"
        )
    media = Path(settings.MEDIA_ROOT)
    (media / "dispatch" / "2026" / "12").mkdir(parents=True)
    (media / "dispatch" / "2026" / "12" / "工作台账.pdf").write_bytes(b"%PDF-1.4 attachment " * 50)
    (media / "imports").mkdir()
    (media / "imports" / "台账.xlsx").write_bytes(bytes(range(256)) * 40)
    return media


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of an archive with its members changed by `change(members) -> members`."""
    with tarfile.open(source, "r:gz") as archive:
        members = [(m.name, archive.extractfile(m).read()) for m in archive if m.isfile()]
    with tarfile.open(target, "w:gz") as archive:
        for name, data in change(members):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


def test_a_restored_backup_gives_back_every_row_every_file_and_the_key(site, settings, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    tables, files = _tables(), _files(site)
    audit_rows = AuditLog.objects.count()

    # Life goes on after the backup: rows added, files changed and removed, a new key.
    make_org("备份之后登记的公司")
    audit.record("registry.organization.updated", actor=None, object_type="test", object_repr="备份之后")
    (site / "imports" / "台账.xlsx").write_bytes(b"changed")
    (site / "dispatch" / "2026" / "12" / "工作台账.pdf").unlink()
    (site / "新文件.txt").write_text("after")
    settings.SECRET_KEY_FILE.write_text("之后的密钥")

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)

    restored = _tables()
    # The audit log holds what it held, plus the record of this restore (chained after it).
    log = connection.ops.quote_name(AuditLog._meta.db_table)
    assert AuditLog.objects.count() == audit_rows + 1
    assert AuditLog.objects.order_by("-pk").first().action == "core.backup.restored"
    before_log = sorted(tables.pop(AuditLog._meta.db_table), key=lambda row: row[0])
    after_log = sorted(restored.pop(AuditLog._meta.db_table), key=lambda row: row[0])
    assert after_log[:-1] == before_log, log
    tables.pop("core_auditchainhead")
    restored.pop("core_auditchainhead")
    # The figures' data version moves past anything cached before the restore.
    assert restored.pop("core_dataversion") != tables.pop("core_dataversion")
    assert restored == tables
    assert not Organization.objects.filter(name="备份之后登记的公司").exists()
    assert _files(site) == files
    assert settings.SECRET_KEY_FILE.read_text() == "备份前的密钥"
    assert "审计日志完整" in out.getvalue()
    call_command("audit_verify", stdout=io.StringIO())  # exits 0: the chain is intact


def test_the_manifest_names_every_member_with_its_sha256(site, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    summary = backup.backup(archive)
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert sorted(m["name"] for m in manifest["members"]) == sorted(names[1:])
    assert {"media/imports/台账.xlsx", "media/dispatch/2026/12/工作台账.pdf", "secret_key"} <= set(names)
    assert manifest["engine"] == connection.vendor
    assert all(len(m["sha256"]) == 64 for m in manifest["members"])
    assert manifest["audit"]["records"] == AuditLog.objects.count()
    assert summary.files == 3  # two uploads and the key


def _after_backup_changes(site, settings):
    make_org("备份之后登记的公司")
    (site / "新文件.txt").write_text("after")
    settings.SECRET_KEY_FILE.write_text("之后的密钥")


def _nothing_restored(site, settings):
    assert Organization.objects.filter(name="备份之后登记的公司").exists()
    assert (site / "新文件.txt").read_text() == "after"
    assert settings.SECRET_KEY_FILE.read_text() == "之后的密钥"
    assert not AuditLog.objects.filter(action="core.backup.restored").exists()
    call_command("audit_verify", stdout=io.StringIO())


def _refused(path, message):
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), "--yes", stdout=io.StringIO())
    assert message in str(refused.value)
    assert "未做任何恢复" in str(refused.value)


def test_a_truncated_archive_is_refused_and_nothing_is_restored(site, settings, tmp_path):
    archive = tmp_path / "备份.tar.gz"
    backup.backup(archive)
    _after_backup_changes(site, settings)
    cut = tmp_path / "截断.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    _refused(cut, "截断.tar.gz 无法使用")
    _nothing_restored(site, settings)


def test_a_changed_member_is_refused_naming_it(site, settings, tmp_path):
    archive = backup.backup(tmp_path / "备份.tar.gz").path
    _after_backup_changes(site, settings)
    tampered = _rewrite(
        archive,
        tmp_path / "改动.tar.gz",
        lambda members: [(n, b"forged" if n == "media/imports/台账.xlsx" else d) for n, d in members],
    )
    _refused(tampered, "成员“media/imports/台账.xlsx”的内容与清单中的 sha256 校验值不符")
    _nothing_restored(site, settings)


def test_a_missing_extra_or_escaping_member_is_refused(site, settings, tmp_path):
    archive = backup.backup(tmp_path / "备份.tar.gz").path
    _after_backup_changes(site, settings)
    missing = _rewrite(archive, tmp_path / "缺.tar.gz", lambda ms: [m for m in ms if m[0] != "secret_key"])
    _refused(missing, "缺少成员：secret_key")
    extra = _rewrite(archive, tmp_path / "多.tar.gz", lambda ms: [*ms, ("media/多出来的.txt", b"x")])
    _refused(extra, "含有清单之外的成员“media/多出来的.txt”")

    def escape(members):
        manifest = json.loads(members[0][1])
        manifest["members"].append({"name": "../../etc/evil", "size": 1, "sha256": "0" * 64})
        return [("manifest.json", json.dumps(manifest).encode()), *members[1:], ("../../etc/evil", b"x")]

    _refused(_rewrite(archive, tmp_path / "越界.tar.gz", escape), "成员清单格式不正确")
    _nothing_restored(site, settings)


def test_an_archive_of_another_database_or_not_a_backup_is_refused(site, settings, tmp_path):
    archive = backup.backup(tmp_path / "备份.tar.gz").path
    _after_backup_changes(site, settings)

    def other_engine(members):
        manifest = json.loads(members[0][1])
        manifest["engine"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        return [("manifest.json", json.dumps(manifest).encode()), *members[1:]]

    _refused(_rewrite(archive, tmp_path / "另一种.tar.gz", other_engine), "只能恢复到同一种数据库")
    random = tmp_path / "随便.tar.gz"
    random.write_bytes(b"this is not an archive" * 10)
    _refused(random, "随便.tar.gz 无法使用")
    _nothing_restored(site, settings)


def test_a_failing_database_step_leaves_files_and_key_as_they_were(site, settings, tmp_path, monkeypatch):
    archive = backup.backup(tmp_path / "备份.tar.gz").path
    _after_backup_changes(site, settings)

    def fails(engine, staged):
        raise backup.BackupError("恢复数据库失败（模拟），未做任何恢复")

    monkeypatch.setattr(backup, "_restore_database", fails)
    _refused(archive, "模拟")
    _nothing_restored(site, settings)
    assert not list(site.parent.glob(".liangxin-restore-*"))  # the staging folder is removed


def test_restore_asks_before_overwriting(site, tmp_path, monkeypatch):
    archive = backup.backup(tmp_path / "备份.tar.gz").path
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="已取消"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_figures_cached_before_a_restore_are_not_served_after_it(site, tmp_path):
    """The backup's data version may equal a version the replaced data reached: a cached figure
    keyed by it would be served for the wrong data."""
    archive = backup.backup(tmp_path / "备份.tar.gz").path
    at_backup = effects.figures_version()
    with transaction.atomic():  # the live data moves on (as every changing service does) ...
        make_org("备份之后登记的公司")
        effects.figures_changed()
    after_change = effects.figures_version()
    assert after_change > at_backup
    backup.restore(archive)
    assert effects.figures_version() > after_change  # ... and the restored data is newer still


def test_on_a_server_with_another_key_the_chain_verifies_after_the_next_start(site, settings, tmp_path):
    archive = backup.backup(tmp_path / "备份.tar.gz").path
    settings.SECRET_KEY_FILE.write_text("新服务器的密钥")
    settings.SECRET_KEY = "新服务器的密钥"
    backup.restore(archive)
    settings.SECRET_KEY = settings.SECRET_KEY_FILE.read_text()  # what the next start reads
    assert settings.SECRET_KEY == "备份前的密钥"
    call_command("audit_verify", stdout=io.StringIO())  # exits 0: sealed with the restored key


def test_backup_and_restore_draw_a_bar_in_a_terminal_and_none_into_a_file(site, settings, tmp_path):
    from tests.terminal import full_bar, in_a_terminal

    archive = tmp_path / "备份.tar.gz"
    text = in_a_terminal("backup", str(archive))
    assert "MB（100%）" in full_bar(text) and "已完成" in full_bar(text)
    assert text.rstrip().endswith("条") and "已备份到" in text  # the summary on its own line, after the bar
    text = in_a_terminal("restore", str(archive), "--yes")
    assert "MB（100%）" in full_bar(text) and "\n已从" in text.replace("\r\n", "\n")
    with open(tmp_path / "输出.txt", "w", encoding="utf-8") as out:
        call_command("backup", str(tmp_path / "另一个.tar.gz"), stdout=out)
    written = (tmp_path / "输出.txt").read_text(encoding="utf-8")
    assert "\r" not in written and "[" not in written and written.startswith("已备份到")
