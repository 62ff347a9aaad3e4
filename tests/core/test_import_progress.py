"""Import progress (issue 19 #3): rows read of about how many, the percentage and the time left,
on the job page (tests/registry/test_pages.py) and as a bar of `liangxin import_data` in a
terminal."""

import json

import pytest
from django.core.management import call_command

from liangxin.core import jobs
from liangxin.core.import_progress import Progress, estimate_rows
from liangxin.core.models import ImportJob
from liangxin.registry.imports import OrganizationImporter
from tests import terminal
from tests.registry.factories import write_workbook
from tests.registry.test_import_beside_others import org_csv


def org_xlsx(path, count):
    """The same organizations as `org_csv`, in a workbook under a title row."""
    import csv

    with open(org_csv(path.with_suffix(".csv"), count), encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    write_workbook(path, [["吉安市两新组织台账"], *rows], sheet="台账")
    return path


def test_a_csv_is_counted_by_its_lines_less_the_header(tmp_path):
    path = org_csv(tmp_path / "台账.csv", 7)
    assert estimate_rows(path, path.name) == 7
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))  # no line break after the last row
    assert estimate_rows(path, path.name) == 7
    assert estimate_rows(path, "台账.xlsx") is None  # a workbook's rows are known only when read


def test_the_wording_of_progress():
    assert Progress(900).text() == "已处理 900 行"
    assert Progress(10_000, 40_000, 5).text() == "已处理 10,000 / 约 40,000 行（25%），预计还需 15 秒"
    assert Progress(40_000, 200_000, 200).text().endswith("（20%），预计还需 13 分钟")
    assert Progress(0, 40_000, 0).text() == "已处理 0 / 约 40,000 行（0%）"
    assert Progress(41_000, 40_000, 10).percent == 99  # an estimate: never 100 % before the end


@pytest.mark.django_db
def test_a_page_import_records_the_estimated_total(city, office, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = OrganizationImporter.chunk_size + 10
    source = org_csv(tmp_path / "台账.csv", rows)
    job = ImportJob.objects.create(user=office, filename="台账.csv", stored="up.csv", status="queued")
    (jobs.upload_dir() / "up.csv").write_bytes(source.read_bytes())
    jobs.run_import_job.call(job.pk)
    recorded = json.loads(jobs.progress_path(job).read_text())
    assert recorded["rows"] == rows and recorded["total"] == rows


def in_a_terminal(*args) -> str:
    """What `liangxin import_data` writes to a pseudo-terminal."""
    return terminal.in_a_terminal("import_data", *args)


@pytest.mark.django_db
def test_a_workbook_import_has_a_total_from_the_measured_sheet(city, office, tmp_path, settings):
    """A workbook's total is the sheet's rows as the size check measured them (title and header
    included: about, never under, so the percentage reaches 100 only at the end)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = OrganizationImporter.chunk_size + 10
    source = org_xlsx(tmp_path / "台账.xlsx", rows)
    job = ImportJob.objects.create(user=office, filename="台账.xlsx", stored="up.xlsx", status="queued")
    (jobs.upload_dir() / "up.xlsx").write_bytes(source.read_bytes())
    jobs.run_import_job.call(job.pk)
    recorded = json.loads(jobs.progress_path(job).read_text())
    assert recorded["rows"] == rows and recorded["total"] == rows + 2
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED


@pytest.mark.django_db
def test_import_data_in_a_terminal_draws_a_progress_bar(city, tmp_path):
    path = org_csv(tmp_path / "台账.csv", OrganizationImporter.chunk_size + 10)
    text = in_a_terminal(str(path))
    assert "\r[" in text and "/ 约 2,010 行（99%）" in text
    assert "识别为" in text and "新增 2010" in text


@pytest.mark.django_db
def test_a_workbook_in_a_terminal_gets_a_bar_too(city, tmp_path):
    text = in_a_terminal(str(org_xlsx(tmp_path / "台账.xlsx", OrganizationImporter.chunk_size + 10)))
    assert "\r[" in text and "/ 约 2,012 行（99%）" in text and "新增 2010" in text


@pytest.mark.django_db
def test_json_in_a_terminal_is_only_the_json(city, tmp_path):
    path = org_csv(tmp_path / "台账.csv", OrganizationImporter.chunk_size + 10)
    text = in_a_terminal(str(path), "--json")
    assert "\r[" not in text and "已处理" not in text
    assert json.loads(text)["sheets"][0]["created"] == OrganizationImporter.chunk_size + 10


@pytest.mark.django_db
def test_import_data_into_a_file_has_no_bar(city, tmp_path):
    path = org_csv(tmp_path / "台账.csv", 5)
    out = tmp_path / "out.txt"
    with open(out, "w", encoding="utf-8") as fh:
        call_command("import_data", str(path), stdout=fh)
    text = out.read_text(encoding="utf-8")
    assert "\r" not in text and "已处理" not in text and "新增 5" in text


def org_xls(path, count):
    """The same organizations as `org_csv`, under a title row, in an Excel 97–2003 workbook
    written by xlwt (as many systems still export them), with a second sheet of notes."""
    import csv

    import xlwt

    with open(org_csv(path.with_suffix(".csv"), count), encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    for r, row in enumerate([["吉安市两新组织台账"], *rows]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.add_sheet("填表说明").write(4, 0, "信用代码须为18位")
    book.save(str(path))
    return path


def test_an_xls_declares_its_sheets_rows_in_its_dimensions_records(tmp_path):
    from liangxin.core.tabular import check_and_read
    from tests.core.test_tabular_files import xls_bytes

    with check_and_read(org_xls(tmp_path / "台账.xls", 30), "台账.xls") as workbook:
        assert workbook.kind == "xls"
        assert workbook.rows_estimate == 32 + 5  # title, header, 30 rows; the notes down to row 5
    with check_and_read(xls_bytes([(0, 0, "名称"), (1, 0, "甲")]), "无尺寸.xls") as workbook:
        assert workbook.rows_estimate is None  # no DIMENSIONS record: rows read only, still read
        assert [row for sheet in workbook.sheets for row in sheet.rows] == [["名称"], ["甲"]]


@pytest.mark.django_db
def test_an_xls_import_page_has_a_total_and_reaches_100_percent(city, office, tmp_path, settings, client_for):
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path / "media"
    rows = OrganizationImporter.chunk_size + 10
    source = org_xls(tmp_path / "台账.xls", rows)
    job = ImportJob.objects.create(user=office, filename="台账.xls", stored="up.xls", status="queued")
    (jobs.upload_dir() / "up.xls").write_bytes(source.read_bytes())
    seen = []
    real_write = type(jobs.progress_path(job)).write_text

    def recorded(self, text, *args, **kwargs):
        seen.append(json.loads(text))
        return real_write(self, text, *args, **kwargs)

    from unittest import mock

    with mock.patch.object(type(jobs.progress_path(job)), "write_text", recorded):
        jobs.run_import_job.call(job.pk)
    assert [s["total"] for s in seen] == [rows + 7] * len(seen)  # known from the first chunk on
    assert [s["done"] for s in seen] == [False] * (len(seen) - 1) + [True]
    page = client_for(office).get(reverse("data_import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert f"已读完 {rows:,} 行（100%）" in text and 'max="100" value="100"' in text
    assert "确认导入" in text


@pytest.mark.django_db
def test_an_xls_in_a_terminal_gets_a_bar_that_ends_full(city, tmp_path):
    text = in_a_terminal(str(org_xls(tmp_path / "台账.xls", OrganizationImporter.chunk_size + 10)))
    assert "\r[" in text and "/ 约 2,017 行（99%）" in text
    assert f"\r[{'#' * 30}] 已读完 2,010 行（100%）" in text and "新增 2010" in text
