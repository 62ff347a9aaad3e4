"""The 年度考核 公文 as PDF, through the bulletin's LibreOffice conversion (`documents.pdf`), and its
pages full: the first page used to end after the opening paragraph, two or three lines short, and
the second before the table (a four-line header row that cannot split, with its caption)."""

from __future__ import annotations

import datetime
import io
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from liangxin.core.models import AuditLog, MemberUnit
from liangxin.documents import assessment, assessment_docx, pdf
from tests.documents.pdf_layout import LINE, TEXT_BOTTOM, line_text, page_count, rules, words
from tests.documents.test_assessment import year  # noqa: F401 (the hand-computed case)
from tests.documents.test_pdf import needs_soffice

QUERY = {"year": "2022", "as_of": "2022-05-31"}


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(autouse=True)
def in_june_2022():
    with time_machine.travel("2022-06-15 10:00 +0800", tick=False):
        yield


@needs_soffice
def test_the_office_downloads_the_gongwen_as_a_pdf(client, office, year, tmp_path):  # noqa: F811
    client.force_login(office)
    page = client.get(reverse("documents:assessment"), QUERY).content.decode()
    assert "下载公文（PDF）" in page
    response = client.get(reverse("documents:assessment_pdf"), QUERY)
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith(".pdf")
    (tmp_path / "考核.pdf").write_bytes(response.content)
    text = "".join(_text(tmp_path / "考核.pdf").split())
    assert "关于2022年度“两新”组织党建工作考核结果的通报" in text and "交通运输局" in text
    audit = AuditLog.objects.get(action="documents.assessment.downloaded", actor=office)
    assert audit.object_repr == "2022年度考核（PDF）"


def test_without_libreoffice_the_pdf_download_says_so_in_chinese(client, office, year, monkeypatch):  # noqa: F811
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    client.force_login(office)
    response = client.get(reverse("documents:assessment_pdf"), QUERY)
    assert response.status_code == 503
    assert "无法生成 PDF：未安装 LibreOffice" in response.content.decode() and "请下载 Word 版" in (
        response.content.decode()
    )


def test_the_command_refuses_pdf_without_a_document(year):  # noqa: F811
    with pytest.raises(CommandError, match="--pdf 需要同时给出 --docx"):
        call_command("assessment", "--year=2022", "--pdf", stdout=io.StringIO())


@needs_soffice
def test_the_command_writes_the_gongwen_and_its_pdf(year, tmp_path):  # noqa: F811
    target = tmp_path / "考核通报.docx"
    call_command(
        "assessment", "--year=2022", "--as-of=2022-05-31", f"--docx={target}", "--pdf", stdout=io.StringIO()
    )
    assert target.is_file() and "交通运输局位列第一" in "".join(_text(tmp_path / "考核通报.pdf").split())


@needs_soffice
def test_every_page_but_the_last_is_full_and_the_imprint_is_at_the_foot(city, tmp_path):
    """The whole committee — 25 units, the table over two pages — as a city would issue it."""
    entries = []
    for i, unit in enumerate(MemberUnit.objects.order_by("sort", "id")):
        entries.append(
            assessment.UnitAssessment(
                unit=unit, months=12, monthly_avg=90.0 - i, tasks_due=5, tasks_done_on_time=4,
                coverage_gain=None, ledger=60.0, score=80.0 - i, rank=i + 1,
            )
        )  # fmt: skip
    assert len(entries) >= 20
    content = assessment_docx.render(
        2022, datetime.date(2022, 12, 31), entries, issued_on=datetime.date(2023, 1, 10)
    )
    target = tmp_path / "考核.pdf"
    target.write_bytes(pdf.pdf_bytes(content, "考核"))
    pages = page_count(target)
    assert pages >= 3
    for number in range(1, pages):
        lowest = max(w.bottom for w in words(target, number))
        # within a line and a table row's slack of the text block's foot, not lines short of it
        assert lowest > TEXT_BOTTOM - 1.25 * LINE, (number, lowest)
    first = "".join(w.text for w in words(target, 1))
    assert "一、考核办法" in first  # the heading and the method begin on page 1
    # the 版记 at the foot of the last page (below the table's last rows): 印发 between its lines
    *_table, (top_rule, _, _), (bottom_rule, _, _) = rules(target, pages, tmp_path)
    printed, printed_top, _ = line_text(words(target, pages), "印发")
    assert printed == "中共吉安市委党建工作领导小组办公室2023年1月10日印发"
    assert abs(bottom_rule - TEXT_BOTTOM) < 1.0 and top_rule < printed_top < bottom_rule
