"""Large files are read and validated in a second process while the first writes. The outcome
must be exactly that of the one-process import: same counts, same problems, same rows."""

import csv

import pytest

from liangxin.core.importing import ImportContext, run_import
from liangxin.registry.imports import OrganizationImporter
from liangxin.registry.models import Organization
from tests.registry.factories import credit_code, write_workbook
from tests.registry.test_import import messy_rows

HEADERS = ["统一社会信用代码", "组织名称", "区县", "乡镇（街道）", "成立日期", "正式党员数", "联系电话"]


def big_csv(path, count=4500):
    """Three chunks' worth of rows, with problems and a duplicate across chunks."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for i in range(1, count + 1):
            code = credit_code(serial=i)
            name = "" if i % 997 == 0 else f"吉安市测试{i}号有限公司"
            members = "-1" if i % 1201 == 0 else str(i % 7)
            writer.writerow([code, name, "吉州区", "习溪桥街道", "2019-03-05", members, f"139{i:08d}"])
        writer.writerow([credit_code(serial=5), "重复的一行", "吉州区", "", "", "", ""])
    return path


def run(path, *, parallel, settings, **kwargs):
    settings.LIANGXIN_IMPORT_PROCESSES = 2 if parallel else 1
    settings.LIANGXIN_IMPORT_PARALLEL_BYTES = 0
    return run_import(
        path, ImportContext(actor=None, filename=str(path).rsplit("/", 1)[-1], source="command", **kwargs)
    )


def outcome(report):
    return [
        (s.created, s.updated, s.unchanged, s.rejected, [e.as_dict() for e in s.errors])
        for s in report.sheets
    ]


@pytest.fixture(params=["csv", "messy"])
def import_file(request, tmp_path, city):
    if request.param == "csv":
        return big_csv(tmp_path / "台账.csv")
    return write_workbook(tmp_path / "台账.xlsx", messy_rows())


def test_two_processes_give_exactly_the_one_process_result(import_file, settings):
    preview = run(import_file, parallel=True, settings=settings, dry_run=True)
    assert Organization.objects.count() == 0
    single = run(import_file, parallel=False, settings=settings)
    assert outcome(preview) == outcome(single)
    assert single.sheets[0].created > 0 and single.sheets[0].rejected > 0


def test_a_parallel_import_writes_the_rows_and_a_second_run_changes_nothing(import_file, settings):
    first = run(import_file, parallel=True, settings=settings).sheets[0]
    assert Organization.objects.count() == first.created > 0
    again = run(import_file, parallel=True, settings=settings).sheets[0]
    assert (again.created, again.updated, again.unchanged, again.rejected) == (
        0,
        0,
        first.created,
        first.rejected,
    )


def test_a_failure_in_the_reading_process_writes_nothing(tmp_path, city, settings, monkeypatch):
    path = big_csv(tmp_path / "台账.csv")

    def broken(self, readers):
        raise ValueError("boom")

    monkeypatch.setattr(OrganizationImporter, "parse_chunk", broken)
    with pytest.raises(RuntimeError, match="读取进程出错"):
        run(path, parallel=True, settings=settings)
    assert Organization.objects.count() == 0


def test_the_garbage_collector_is_as_it_was_after_an_import_that_worked_or_failed(tmp_path, city, settings):
    """Imports run inside the web and worker processes: the collector settings they change for
    speed must come back, also when the import fails."""
    import gc

    from liangxin.core.importing import ImportFailed

    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    run(big_csv(tmp_path / "台账.csv", count=300), parallel=False, settings=settings)
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before
    (tmp_path / "坏.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFailed):
        run(tmp_path / "坏.csv", parallel=False, settings=settings)
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_only_a_first_load_uses_the_second_process(tmp_path, city, settings, monkeypatch):
    """Into a registry that holds organizations, unchanged rows are skipped before parsing,
    which only the writing process can do: such an import is read in one process."""
    from liangxin.core.importing import SheetImporter

    path = big_csv(tmp_path / "台账.csv")
    forked = []
    real = SheetImporter._run_forked
    monkeypatch.setattr(SheetImporter, "_run_forked", lambda self: forked.append(1) or real(self))
    run(path, parallel=True, settings=settings)
    assert forked == [1]
    again = run(path, parallel=True, settings=settings).sheets[0]
    assert forked == [1] and again.unchanged > 0 and again.created == 0


def test_a_process_running_other_threads_does_not_fork(tmp_path, city, settings, monkeypatch):
    """A web server importing inside a request (LIANGXIN_TASKS=immediate) has other threads; a
    fork would copy whatever lock one of them holds. Such an import stays in one process."""
    import threading

    from liangxin.core.importing import SheetImporter

    forked = []
    monkeypatch.setattr(SheetImporter, "_run_forked", lambda self: forked.append(1))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        report = run(big_csv(tmp_path / "台账.csv"), parallel=True, settings=settings)
    finally:
        stop.set()
        other.join()
    assert forked == [] and report.sheets[0].created > 0
