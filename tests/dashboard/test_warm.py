"""After a change the task worker computes the cockpit's tables, so the first load reads them."""

import datetime
import threading
import time

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from liangxin.core import audit
from liangxin.core.models import AreaKind, Region
from liangxin.core.services import create_area
from liangxin.coverage import figcache
from liangxin.dashboard import warm
from tests.dashboard.factories import small_city


@pytest.fixture(autouse=True)
def database_tasks(settings):
    """The production backend: jobs wait in the database for `liangxin db_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _waiting():
    return DBTaskResult.objects.filter(
        task_path=warm.warm_cockpit_job.module_path, status=TaskResultStatus.READY
    )


def _change(name="一处修改"):
    """A change through a service that changes what figures read (a functional area)."""
    create_area(actor=None, name=f"{name}园区", kind=AreaKind.PARK, region=Region.objects.get(code="360802"))


def _worker(monkeypatch) -> None:
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_a_committed_change_queues_one_warm_up_however_many_rows_it_audits(
    city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            _change("甲")
            _change("乙")
            _change("丙")
    assert _waiting().count() == 1
    warm.request_warm()  # another transaction's change: one is still waiting, no second
    assert _waiting().count() == 1


def test_a_rolled_back_change_queues_nothing(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _change()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not _waiting().exists()


def test_without_a_worker_nothing_is_queued_and_the_change_is_not_slowed(
    city, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ran = []
    monkeypatch.setattr(warm, "request_warm", lambda: ran.append("warm-up"))
    with django_capture_on_commit_callbacks(execute=True):
        _change()
    assert ran == []  # the warm-up would run inside this request: it is not asked for
    assert not DBTaskResult.objects.exists()


@time_machine.travel("2022-05-31 09:00 +0800", tick=False)
def test_after_the_worker_ran_the_first_cockpit_load_reads_its_tables(
    city, office, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        small_city()
        _change()
    cache.clear()
    _worker(monkeypatch)
    assert DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL).return_value == {
        "warmed": True,
        "as_of": "2022-05-31",
        "cockpit_as_of": "2022-05-31",
    }
    client = client_for(office)
    with CaptureQueriesContext(connection) as run:
        warmed = client.get("/cockpit/data/months.json").json()
    assert not [q for q in run.captured_queries if "coverage_coveragelink" in q["sql"]]
    with CaptureQueriesContext(connection) as run:
        page = client.get("/coverage/overview/")  # the coverage page as it opens: warmed too
    assert page.status_code == 200
    assert not [q for q in run.captured_queries if "coverage_coveragelink" in q["sql"]]
    cache.clear()
    assert client.get("/cockpit/data/months.json").json() == warmed  # the same as computed cold
    cold = client.get("/coverage/overview/")
    assert (cold.context["rows"], cold.context["total"]) == (page.context["rows"], page.context["total"])
    assert page.context["total"]["total"] > 0


def test_a_request_waits_for_the_process_already_computing_the_same_tables(city):
    key = "cockpit:tables:test"
    cache.add(f"{key}:busy", 4242, 60)  # another process has started

    def other_process_finishes():
        time.sleep(0.2)
        cache.set(key, {"from": "the other process"})
        cache.delete(f"{key}:busy")

    threading.Thread(target=other_process_finishes).start()
    computed = []
    value = figcache.computed_once(key, lambda: computed.append(1) or {"from": "this request"})
    assert value == {"from": "the other process"} and computed == []


def test_a_request_computes_itself_when_the_other_process_gave_up(city):
    key = "cockpit:tables:test"
    cache.add(f"{key}:busy", 4242, 60)
    threading.Timer(0.1, cache.delete, [f"{key}:busy"]).start()  # it failed: no value
    assert figcache.computed_once(key, lambda: {"from": "this request"}) == {"from": "this request"}
    assert cache.get(key) == {"from": "this request"}
    assert cache.get(f"{key}:busy") is None


def test_a_login_or_an_export_changes_no_figure_and_queues_nothing(city, django_capture_on_commit_callbacks):
    before = figcache.data_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        audit.record("accounts.login.succeeded", actor=None, object_type="user", object_repr="office")
        audit.record("registry.organization.exported", actor=None, object_type="export", object_repr="台账")
    assert callbacks == [] and not _waiting().exists()
    assert figcache.data_version() == before
    with django_capture_on_commit_callbacks(execute=True):
        _change()
    assert figcache.data_version() != before and _waiting().count() == 1


@time_machine.travel("2022-05-31 09:00 +0800", tick=False)
def test_each_run_leaves_one_warm_up_for_just_after_midnight(city, office, monkeypatch):
    import datetime

    from django.utils import timezone

    warm.request_warm()
    _worker(monkeypatch)
    (tomorrow,) = _waiting()
    assert timezone.localtime(tomorrow.run_after) == timezone.make_aware(datetime.datetime(2022, 6, 1, 0, 1))
    warm.request_warm()  # a change today still gets its own, due now
    warm.request_warm()  # (one)
    assert _waiting().count() == 2
    _worker(monkeypatch)
    assert list(_waiting()) == [tomorrow]  # not a second one for midnight


def test_a_form_edit_whose_audit_rows_go_in_with_one_bulk_insert_queues_a_warm_up(
    city, django_capture_on_commit_callbacks
):
    """The registry's form path writes its audit rows with one bulk insert (no post_save): the
    service itself asks for the warm-up and bumps the data version."""
    from liangxin.registry.models import Organization
    from liangxin.registry.services import apply_records
    from tests.registry.factories import credit_code

    before = figcache.data_version()
    records = [
        (n, {"credit_code": credit_code(serial=700 + n), "name": f"批量写入的公司{n}",
             "region": Region.objects.get(code="360802001")})
        for n in (1, 2)
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            result = apply_records(records, actor=None, today=datetime.date(2026, 12, 4))
    assert len(result.ids) == 2 and Organization.objects.filter(pk__in=result.ids).count() == 2
    assert figcache.data_version() != before
    assert _waiting().count() == 1


def test_the_audit_log_has_no_save_signal_receivers():
    from django.db.models.signals import post_save

    from liangxin.core.models import AuditLog, ImportBatch

    assert not post_save.has_listeners(AuditLog)
    assert not post_save.has_listeners(ImportBatch)


def test_a_rolled_back_change_leaves_the_data_version(city, django_capture_on_commit_callbacks):
    before = figcache.data_version()
    try:
        with transaction.atomic():
            _change()
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert figcache.data_version() == before
