"""Issue 13 part 5: a tamper-evident audit log. Every record carries an SM3 hash chained to the
previous one; `audit_verify` names the first record changed or removed in the database;
`audit_archive` exports and removes records past the retention only from a verified chain; on
PostgreSQL the table refuses UPDATE and DELETE; reads and refusals are recorded."""

from __future__ import annotations

import hashlib
import json
import threading
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse

from liangxin.core import audit, auditchain
from liangxin.core.models import AuditChainHead, AuditLog
from tests.factories import make_user
from tests.registry.factories import make_org

on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the trigger exists on PostgreSQL only"
)


def verify_output() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def verify_refusal() -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify", stdout=StringIO())
    return str(exc.value)


def tamper(sql: str, params: list) -> None:
    """What someone with the database's superuser rights does: switch triggers off, change."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off (superuser)
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def some_records(n: int = 4) -> list[AuditLog]:
    return [
        audit.record(
            "test.thing.changed", object_type="test", object_id=str(i), before={"n": i}, after={"n": i + 1}
        )
        for i in range(n)
    ]


def test_sm3_is_available_from_openssl():
    assert hashlib.new("sm3", b"abc").hexdigest() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905 example
    )


def test_each_record_is_chained_to_the_one_before(db):
    first, second = some_records(2)
    assert second.prev_hash == first.hash and len(first.hash) == 64
    stored = AuditLog.objects.get(pk=second.pk)
    assert auditchain.digest(stored, first.hash) == stored.hash
    assert AuditChainHead.objects.get().last_id == second.pk


def test_audit_verify_passes_on_the_demo_data(city):
    call_command("demo", stdout=StringIO())
    assert AuditLog.objects.count() > 10
    assert "SM3 哈希链校验通过" in verify_output()


def test_a_row_changed_by_sql_is_named_and_the_command_fails(db):
    records = some_records(5)
    target = records[2]
    tamper("UPDATE core_auditlog SET object_repr = %s WHERE id = %s", ["改过的", target.pk])
    message = verify_refusal()
    assert f"第 {target.pk} 号记录" in message and "被修改过" in message


def test_audit_verify_draws_a_bar_of_the_records_in_a_terminal_and_none_into_a_file(db):
    from tests.terminal import full_bar, in_a_terminal

    some_records(5)
    count = AuditLog.objects.count()
    text = in_a_terminal("audit_verify")
    assert f"已处理 0 / {count} 条（0%）" in text
    assert full_bar(text).startswith(f"[{'#' * 30}] 已完成 {count} 条（100%）")
    assert f"\n审计日志完整：共 {count} 条记录" in text.replace("\r\n", "\n")
    assert "[" not in verify_output() and "条（" not in verify_output()


def test_a_broken_chain_stops_the_bar_where_the_walk_stopped(db):
    records = some_records(5)
    tamper("UPDATE core_auditlog SET object_repr = %s WHERE id = %s", ["改过的", records[2].pk])
    from tests.terminal import refused_in_a_terminal

    text, refused = refused_in_a_terminal("audit_verify")
    assert f"第 {records[2].pk} 号记录" in str(refused)
    assert "已处理 0 / " in text and "100%" not in text and "已完成" not in text  # not shown as finished
    assert text.endswith("\n")  # the bar's line is ended: the error starts on its own line


def test_a_row_deleted_by_sql_breaks_the_link_of_the_next_one(db):
    records = some_records(5)
    tamper("DELETE FROM core_auditlog WHERE id = %s", [records[1].pk])
    message = verify_refusal()
    assert f"第 {records[2].pk} 号记录" in message and "链接断开" in message


def test_removing_the_last_rows_is_noticed_too(db):
    records = some_records(3)
    tamper("DELETE FROM core_auditlog WHERE id = %s", [records[-1].pk])
    assert "链尾记录不符" in verify_refusal()


def test_removing_the_last_rows_and_rewriting_the_head_to_match_is_noticed(db):
    """Someone with the database but not the secret key cuts the tail and makes the head row
    agree with the new last record: the head's seal no longer matches."""
    records = some_records(4)
    tamper("DELETE FROM core_auditlog WHERE id >= %s", [records[2].pk])
    tamper(
        "UPDATE core_auditchainhead SET last_id = %s, last_hash = %s WHERE id = 1",
        [records[1].pk, records[1].hash],
    )
    message = verify_refusal()
    assert "封签与密钥不符" in message and "被改写过" in message


def test_after_a_deliberate_key_change_reseal_works_only_on_a_whole_chain(db, settings):
    records = some_records(3)
    settings.SECRET_KEY = "a-new-key-" + "x" * 40
    assert "封签与密钥不符" in verify_refusal()
    out = StringIO()
    call_command("audit_verify", "--reseal", stdout=out)
    assert "已重新封签" in out.getvalue() and "校验通过" in out.getvalue()
    assert AuditLog.objects.filter(action="core.audit.resealed").exists()
    assert "校验通过" in verify_output()
    # a chain already broken is not sealed again: the evidence stays
    tamper("UPDATE core_auditlog SET object_repr = %s WHERE id = %s", ["改过的", records[1].pk])
    settings.SECRET_KEY = "another-key-" + "y" * 40
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify", "--reseal", stdout=StringIO())
    assert f"第 {records[1].pk} 号记录" in str(exc.value)
    assert f"第 {records[1].pk} 号记录" in verify_refusal()


def test_a_rehashed_row_still_breaks_the_chain_after_it(db):
    records = some_records(4)
    row = AuditLog.objects.get(pk=records[1].pk)
    row.message = "改过"
    new_hash = auditchain.digest(row, row.prev_hash)
    tamper("UPDATE core_auditlog SET message = %s, hash = %s WHERE id = %s", ["改过", new_hash, row.pk])
    assert f"第 {records[2].pk} 号记录" in verify_refusal()


@on_postgresql
def test_on_postgresql_the_update_itself_is_refused(db):
    (record,) = some_records(1)
    with pytest.raises(DatabaseError, match="审计日志只允许追加"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditlog SET message = 'x' WHERE id = %s", [record.pk])
    with pytest.raises(DatabaseError, match="审计日志只允许追加"), transaction.atomic():
        AuditLog.objects.filter(pk=record.pk).delete()
    assert AuditLog.objects.get(pk=record.pk).message == ""


@on_postgresql
def test_on_postgresql_emptying_the_log_is_refused(transactional_db):
    (record,) = some_records(1)
    with pytest.raises(DatabaseError, match="不允许清空"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL liangxin.test_flush = 'off'")  # as any other session
            cursor.execute("TRUNCATE core_auditlog CASCADE")
    assert AuditLog.objects.filter(pk=record.pk).exists()


def test_deleting_an_account_keeps_its_records_and_the_chain(db):
    user = make_user("leaver", role="office")
    audit.record("test.thing.changed", actor=user)
    user.delete()
    assert AuditLog.objects.get(action="test.thing.changed").actor_name == "leaver"
    assert "校验通过" in verify_output()


def test_archive_exports_and_removes_records_past_the_retention_only(db, tmp_path):
    # Far ahead, so that the records the session's setup wrote (today) are old as well.
    with time_machine.travel("2099-01-01 09:00 +0800", tick=False):
        old = some_records(3)
    with time_machine.travel("2099-07-01 09:00 +0800", tick=False):
        recent = some_records(2)
    expected = list(AuditLog.objects.filter(pk__lte=old[-1].pk).order_by("pk").values_list("pk", flat=True))
    out = tmp_path / "审计归档.jsonl"
    text = StringIO()
    with time_machine.travel("2099-09-01 09:00 +0800", tick=False):
        call_command("audit_archive", str(out), stdout=text)
    assert f"已归档 {len(expected)} 条 180 天以前" in text.getvalue()
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in lines] == expected and lines[-1]["hash"] == old[-1].hash
    assert not AuditLog.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditLog.objects.filter(pk__in=[r.pk for r in recent]).count() == 2
    assert AuditLog.objects.filter(action="core.audit.archived").exists()
    assert "校验通过" in verify_output()


def test_archive_refuses_a_broken_chain_and_removes_nothing(db, tmp_path):
    with time_machine.travel("2099-01-01 09:00 +0800", tick=False):
        records = some_records(3)
    tamper("UPDATE core_auditlog SET message = %s WHERE id = %s", ["改过", records[0].pk])
    out = tmp_path / "a.jsonl"
    with time_machine.travel("2099-09-01 09:00 +0800", tick=False), pytest.raises(CommandError) as exc:
        call_command("audit_archive", str(out), stdout=StringIO())
    assert "哈希链校验未通过" in str(exc.value) and f"第 {records[0].pk} 号记录" in str(exc.value)
    assert AuditLog.objects.filter(pk__in=[r.pk for r in records]).count() == 3 and not out.exists()


def test_archive_refuses_less_than_180_days(db, tmp_path):
    with pytest.raises(CommandError, match="至少保留 180 天"):
        call_command("audit_archive", str(tmp_path / "a.jsonl"), "--days", "90", stdout=StringIO())


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite has one write lock, taken before the tail is read; the in-memory test database "
    "cannot be shared by threads",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(city):
    def write(n):
        try:
            for i in range(15):
                with transaction.atomic():
                    audit.record("test.concurrent", object_id=f"{n}-{i}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AuditLog.objects.filter(action="test.concurrent").count() == 45
    assert auditchain.verify().ok


# ---------------------------------------------------------------------------- reads, refusals


def test_a_download_is_recorded(client_for, office):
    make_org("导出公司")
    response = client_for(office).get(reverse("registry:organization_export", args=["csv"]))
    assert response.status_code == 200
    log = AuditLog.objects.get(action="core.file.downloaded")
    assert log.actor == office and log.object_repr.endswith(".csv") and "export.csv" in log.source_detail


def test_a_refusal_is_recorded(client_for, city):
    county = make_user("qx", role="county", region="360803")
    other = make_org("吉州区公司", region="360802001")
    client = client_for(county)
    assert client.get(reverse("registry:organization_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("core:audit_log")).status_code == 403
    denied = AuditLog.objects.filter(action="core.access.denied", actor=county).order_by("pk")
    assert [d.message for d in denied] == ["不存在或无权查看（404）", "无权访问（403）"]
    assert denied[0].result == "failure" and str(other.pk) in denied[0].source_detail


def test_views_of_the_audit_log_and_user_pages_are_recorded(client_for, city):
    auditor = make_user("auditadmin", role="auditadmin")
    security = make_user("secadmin", role="secadmin")
    assert client_for(auditor).get(reverse("core:audit_log")).status_code == 200
    assert client_for(security).get(reverse("accounts:users")).status_code == 200
    assert AuditLog.objects.filter(action="core.audit.viewed", actor=auditor).count() == 1
    assert AuditLog.objects.filter(action="accounts.users.viewed", actor=security).count() == 1
    assert "校验通过" in verify_output()


def test_the_records_an_import_writes_in_bulk_are_chained_too(city, tmp_path):
    from liangxin.core.importing import ImportContext, run_import
    from tests.registry.factories import credit_code, write_workbook

    codes = [credit_code(serial=700 + i) for i in range(3)]
    for version in ("一", "二"):
        rows = [["统一社会信用代码", "组织名称", "区县"]] + [
            [c, f"链测公司{i}{version}", "吉州区"] for i, c in enumerate(codes)
        ]
        path = write_workbook(tmp_path / f"{version}.xlsx", rows)
        assert run_import(
            path, ImportContext(actor=None, filename=f"{version}.xlsx", source="command")
        ).committed
    updated = AuditLog.objects.filter(
        action="registry.organization.updated", object_repr__startswith="链测公司"
    )
    assert updated.count() == 3 and all(len(r.hash) == 64 for r in updated)
    assert "校验通过" in verify_output()
