"""Imports beside other users (issue 11): an organizations file is read, validated and staged
without holding the database's write lock and merged in one short transaction at the end, so
others read and write while a large import runs; two imports never overlap; a database that
stays busy gives “系统繁忙，请稍后重试” (503), never a 500. These run on SQLite and PostgreSQL."""

import csv
import datetime
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liangxin.core.importing import ImportContext, ImportFailed, one_import_at_a_time, run_import
from liangxin.core.models import ImportBatch, Installation, Region
from liangxin.core.services import setup_installation
from liangxin.registry import services
from liangxin.registry.imports import OrganizationImporter
from liangxin.registry.models import FollowUp, Organization
from liangxin.registry.staging import RegistryStage
from tests.conftest import CITY
from tests.factories import PASSWORD, make_user
from tests.registry.factories import credit_code, make_org

HEADERS = ["统一社会信用代码", "组织名称", "区县", "乡镇（街道）", "成立日期", "正式党员数", "重点标签"]


def org_csv(path, count, *, first=1):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for i in range(first, first + count):
            tag = "快递" if i % 3 == 0 else ""
            writer.writerow([credit_code(serial=i), f"吉安市并发{i}号有限公司", "吉州区", "习溪桥街道", "2019-03-05", i % 4, tag])  # fmt: skip
    return path


def command(path, **kwargs):
    return ImportContext(actor=None, filename=path.name, source="command", **kwargs)


@pytest.fixture
def live_city(transactional_db):
    """The region tree, in a test whose transactions really commit (another thread sees them)."""
    return Installation.current_city() or setup_installation(CITY)[0]


@pytest.mark.django_db(transaction=True)
def test_others_read_and_log_in_while_a_large_import_runs(live_city, tmp_path):
    path = org_csv(tmp_path / "台账.csv", 3 * OrganizationImporter.chunk_size + 500)
    make_org("早已登记的公司", code=credit_code(serial=99_999))
    # A county user: the office would first pass the second factor (tests/accounts cover it).
    make_user("clerk", role="county", region="360802")
    other_done = threading.Event()
    import_done = threading.Event()
    seen: dict = {}

    def other_user():
        """Another user, on another connection: reads the registry and logs in."""
        try:
            started = time.monotonic()
            seen["count"] = Organization.objects.count()
            seen["read_s"] = time.monotonic() - started
            seen["read_before_import_ended"] = not import_done.is_set()
            client = Client()
            seen["login"] = client.post(
                reverse("login"), {"username": "clerk", "password": PASSWORD}
            ).status_code
            seen["page"] = client.get(reverse("registry:organizations")).status_code
            seen["login_before_import_ended"] = not import_done.is_set()
        finally:
            connections.close_all()
            other_done.set()

    def progress(rows):
        # After the first chunk: the other user goes ahead while this import is under way, and
        # the import goes on only once they are done (so the order is certain, not timed).
        if rows == OrganizationImporter.chunk_size:
            threading.Thread(target=other_user).start()
            assert other_done.wait(60)

    report = run_import(path, command(path, progress=progress))
    import_done.set()

    assert report.committed and report.sheets[0].created == 3 * OrganizationImporter.chunk_size + 500
    assert seen["count"] == 1 and seen["read_before_import_ended"]  # the import's rows not yet visible
    assert seen["read_s"] < 5  # generous: it does not wait for the import (timings are in bench/)
    assert seen["login"] == 302 and seen["page"] == 200 and seen["login_before_import_ended"]
    assert Organization.objects.count() == 3 * OrganizationImporter.chunk_size + 501
    assert FollowUp.objects.filter(organization__import_batch_id=report.batch_id).count() == 3 * 2000 + 500


@pytest.mark.django_db(transaction=True)
def test_a_second_import_waits_for_the_first_to_finish(live_city, tmp_path):
    path = org_csv(tmp_path / "第二个.csv", 30)
    holding, released = threading.Event(), []

    def first_import():
        try:
            with one_import_at_a_time():
                holding.set()
                time.sleep(0.5)
                released.append(time.monotonic())
        finally:
            connections.close_all()

    threading.Thread(target=first_import).start()
    assert holding.wait(30)
    report = run_import(path, command(path))
    assert released and report.committed and report.sheets[0].created == 30


def test_a_second_import_that_waited_too_long_is_told_so_and_writes_nothing(city, tmp_path, settings):
    settings.LIANGXIN_IMPORT_WAIT_SECONDS = 0
    path = org_csv(tmp_path / "第二个.csv", 30)
    holding, done = threading.Event(), threading.Event()

    def first_import():
        try:
            with one_import_at_a_time():
                holding.set()
                done.wait(30)
        finally:
            connections.close_all()

    other = threading.Thread(target=first_import)
    other.start()
    try:
        assert holding.wait(30)
        with pytest.raises(ImportFailed, match="另一个文件正在导入"):
            run_import(path, command(path))
        # a preview writes nothing and needs no turn
        assert run_import(path, command(path, dry_run=True)).sheets[0].created == 30
    finally:
        done.set()
        other.join()
    assert not Organization.objects.exists() and not ImportBatch.objects.exists()


@pytest.mark.parametrize("meanwhile", ["edited", "deleted", "created", "created_in_empty_registry"])
def test_an_organization_changed_by_someone_else_during_the_import_stops_it(
    city, tmp_path, monkeypatch, meanwhile
):
    if meanwhile != "created_in_empty_registry":  # serial 1 is then an update (a new name)
        make_org("表格里要改的公司", code=credit_code(serial=1))
    path = org_csv(tmp_path / "台账.csv", 40)
    before = set(Organization.objects.values_list("credit_code", "name"))

    def someone_else_saves(self):
        """Another user, between the reading of the file and its merge."""
        if meanwhile == "deleted":
            Organization.objects.filter(credit_code=credit_code(serial=1)).delete()
        elif meanwhile == "edited":
            services.save_organization(
                {"credit_code": credit_code(serial=1), "name": "另一个用户改的名称"},
                actor=None,
                today=datetime.date(2026, 1, 5),
            )
        else:
            services.save_organization(
                {
                    "credit_code": credit_code(serial=7),
                    "name": "另一个用户录入的公司",
                    "region": self.lookups.regions_by_code["360802001"],
                },
                actor=None,
                today=datetime.date(2026, 1, 5),
            )
        before.clear()
        before.update(Organization.objects.values_list("credit_code", "name"))

    monkeypatch.setattr(OrganizationImporter, "finish", someone_else_saves)
    with pytest.raises(ImportFailed, match=r"已被他人新增、修改或删除.*未写入任何数据"):
        run_import(path, command(path))
    assert set(Organization.objects.values_list("credit_code", "name")) == before  # theirs, not ours
    assert (
        not ImportBatch.objects.exists()
        and not FollowUp.objects.filter(organization__name__startswith="吉安市并发").exists()
    )


@pytest.mark.parametrize(
    ("meanwhile", "message"),
    [
        ("moved_to_another_county", r"管辖范围已变更：1 个组织.*未写入任何数据"),
        ("deactivated", r"账号已被停用或删除.*未写入任何数据"),
        ("moved_and_the_file_only_adds", r"管辖范围已变更：40 个组织.*未写入任何数据"),
    ],
)
def test_an_importer_whose_jurisdiction_changes_during_the_import_writes_nothing(
    city, tmp_path, monkeypatch, meanwhile, message
):
    """The rows were checked against `restrict(user, "change")` while the file was read; the
    write asks again, inside its transaction, with the account as it is then."""
    clerk = make_user("clerk", role="county", region="360802")  # 吉州区, where the file's rows are
    if meanwhile != "moved_and_the_file_only_adds":
        make_org("表格里要改的公司", code=credit_code(serial=1))  # one update, 39 new
    path = org_csv(tmp_path / "台账.csv", 40)
    before = set(Organization.objects.values_list("credit_code", "name", "updated_at"))

    def the_administrator_acts(self):
        if meanwhile == "deactivated":
            type(clerk).objects.filter(pk=clerk.pk).update(is_active=False)
        else:
            type(clerk).objects.filter(pk=clerk.pk).update(region=Region.objects.get(code="360803"))

    monkeypatch.setattr(OrganizationImporter, "finish", the_administrator_acts)
    with pytest.raises(ImportFailed, match=message):
        run_import(path, ImportContext(actor=clerk, filename=path.name, source="upload"))
    assert set(Organization.objects.values_list("credit_code", "name", "updated_at")) == before
    assert not ImportBatch.objects.exists()


def test_an_importer_still_in_scope_at_the_write_imports_as_before(city, tmp_path):
    clerk = make_user("clerk", role="county", region="360802")
    make_org("表格里要改的公司", code=credit_code(serial=1))
    path = org_csv(tmp_path / "台账.csv", 40)
    report = run_import(path, ImportContext(actor=clerk, filename=path.name, source="upload"))
    assert report.committed and (report.sheets[0].created, report.sheets[0].updated) == (39, 1)


def test_an_import_changes_no_table_definition(city, tmp_path):
    """PostgreSQL refused DDL on a table with pending trigger events, and it locked out readers:
    an import only creates and drops its own TEMP tables (and, on SQLite, indexes one of them)."""
    make_org("先有的公司")
    path = org_csv(tmp_path / "台账.csv", 2 * OrganizationImporter.chunk_size + 10, first=100)
    with CaptureQueriesContext(connection) as queries:
        report = run_import(path, command(path))
    assert report.committed and report.sheets[0].created == 2 * OrganizationImporter.chunk_size + 10
    ddl = [q["sql"] for q in queries if q["sql"].split(" ", 1)[0].upper() in ("CREATE", "DROP", "ALTER")]

    def on_its_own_tables(sql: str) -> bool:
        if sql.startswith("CREATE INDEX"):
            return ' ON "lx_stage_' in sql
        return "lx_stage_" in sql and ("TEMP" in sql or sql.startswith("DROP TABLE"))

    assert ddl and all(on_its_own_tables(sql) for sql in ddl)


def test_an_import_that_meets_a_busy_database_says_so_and_writes_nothing(city, tmp_path, monkeypatch):
    def busy(self, batch, *, actor, today):
        raise OperationalError("database is locked")

    monkeypatch.setattr(RegistryStage, "merge", busy)
    path = org_csv(tmp_path / "台账.csv", 30)
    with pytest.raises(ImportFailed, match="系统繁忙，请稍后重试"):
        run_import(path, command(path))
    assert not Organization.objects.exists() and not ImportBatch.objects.exists()


def test_a_busy_database_gives_the_busy_page_and_nothing_is_saved(client_for, office, monkeypatch):
    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "apply_records", busy)
    response = client_for(office).post(
        reverse("registry:organization_create"),
        {
            "credit_code": credit_code(serial=501),
            "name": "忙时提交的公司",
            "region": "360802001",
            "status": "存续",
        },
    )
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"]
    assert "系统繁忙，请稍后重试" in page and "尚未保存" in page
    assert not Organization.objects.filter(name="忙时提交的公司").exists()


def test_other_database_errors_are_not_dressed_up_as_busy(client_for, office, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: registry_organization")

    monkeypatch.setattr(services, "apply_records", broken)
    client = client_for(office)
    client.raise_request_exception = False
    response = client.post(
        reverse("registry:organization_create"),
        {
            "credit_code": credit_code(serial=502),
            "name": "出错的公司",
            "region": "360802001",
            "status": "存续",
        },
    )
    assert response.status_code == 500


def test_a_preview_of_organizations_with_party_organizations_counts_what_the_real_run_does(city, tmp_path):
    """The organizations are staged, the party organizations written inside the transaction
    (they refer to organizations created by the same file): the preview rolls both back."""
    from liangxin.coverage.models import CoverageLink, PartyOrganization
    from tests.coverage.test_imports import INSTRUCTORS, ORGS, PARTY_ORGS
    from tests.coverage.test_imports import write_workbook as write_sheets

    path = write_sheets(
        tmp_path / "两个覆盖.xlsx", {"两新组织": ORGS, "党组织": PARTY_ORGS, "党建指导员": INSTRUCTORS}
    )

    def counts(report):
        return [(s.type, s.created, s.updated, s.unchanged, s.rejected) for s in report.sheets]

    preview = run_import(
        path, ImportContext(actor=None, filename="两个覆盖.xlsx", source="command", dry_run=True)
    )
    assert not Organization.objects.exists() and not PartyOrganization.objects.exists()
    real = run_import(path, ImportContext(actor=None, filename="两个覆盖.xlsx", source="command"))
    assert counts(preview) == counts(real)
    assert counts(real)[0] == ("organizations", len(ORGS) - 1, 0, 0, 0)
    assert CoverageLink.objects.count() == 5
