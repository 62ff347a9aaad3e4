"""`liangxin bulletin`: the bulletin of a period from the platform's own figures, end to end."""

import datetime
import io
import json

import docx
import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from liangxin.core.models import AuditLog
from liangxin.documents import pdf
from tests.documents.readback import command_figures, document_figures
from tests.factories import make_user


def json_of(command, *args):
    out = io.StringIO()
    call_command(command, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def text_of(path) -> str:
    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend("|".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(parts)


def run_bulletin(tmp_path, *extra):
    out = io.StringIO()
    call_command(
        "bulletin",
        "--period=2022-05",
        "--as-of=2022-05-31",
        "--issue-date=2022-06-06",
        f"--out={tmp_path / '通报.docx'}",
        f"--xlsx={tmp_path / '通报.xlsx'}",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_its_numbers_equal_the_coverage_and_dispatch_commands_for_the_same_date(may, tmp_path):
    output = run_bulletin(tmp_path)
    assert "已生成《关于2022年5月全市基层党建重点任务推进情况的通报》" in output
    figures, unread = document_figures((tmp_path / "通报.docx").read_bytes())
    assert unread == []
    expected = command_figures(
        json_of("coverage", "--as-of=2022-05-31"),
        json_of("dispatch_status", "--period=2022-05", "--as-of=2022-05-31"),
        json_of("coverage", "--as-of=2022-04-30"),
        json_of("dispatch_status", "--period=2022-04", "--as-of=2022-04-30"),
    )
    nothing = dict.fromkeys(("followups", "pairings", "integration", "brands"))
    assert figures.pop("annex") == {**nothing, "unpaired_key_villages": 0}  # test_annex_lines.py
    assert figures == expected
    assert figures["late"] and figures["lagging"] == {
        "1": ("交通运输局", ["邮政管理局"])
    }  # the check has substance


def test_it_compares_with_last_month(may, tmp_path):
    run_bulletin(tmp_path)
    text = text_of(tmp_path / "通报.docx")
    # April: 4 expected, 1 submitted on time (25%); May: 4 expected, 3 submitted, 2 on time
    assert "报送率为75.0%，较上月提高50.0个百分点" in text
    assert "按时报送率为50.0%，较上月提高25.0个百分点" in text
    assert "全市组织覆盖率为57.1%，与上月持平" in text


def test_it_writes_the_workbook_with_formula_text_kept_as_text(may, tmp_path):
    run_bulletin(tmp_path)
    book = openpyxl.load_workbook(tmp_path / "通报.xlsx")
    titles = [row[1] for row in book["重点任务推进情况"].iter_rows(min_row=3, values_only=True)]
    assert titles == ["快递小哥“暖心驿站”建设", "=1+1 社会组织党建"]
    assert book["重点任务推进情况"]["B4"].data_type == "s"


def test_it_records_the_export_in_the_audit_log(may, tmp_path):
    office = make_user("office1", role="office")
    run_bulletin(tmp_path, "--user=office1")
    entry = AuditLog.objects.get(action="documents.bulletin.generated")
    assert entry.actor == office
    assert entry.object_id == "2022-05"
    assert entry.after["as_of"] == "2022-05-31"


def test_it_uses_the_office_requirements_text(may, tmp_path):
    requirements = tmp_path / "要求.txt"
    requirements.write_text("一要压实责任。\n\n二要加强调度。\n", encoding="utf-8")
    run_bulletin(tmp_path, f"--requirements={requirements}", "--issuer=吉安市委党建办")
    paragraphs = [p.text for p in docx.Document(tmp_path / "通报.docx").paragraphs]
    start = paragraphs.index("六、下步要求")
    assert paragraphs[start + 1 : start + 3] == ["一要压实责任。", "二要加强调度。"]
    assert "吉安市委党建办" in paragraphs


def test_it_says_which_file_it_cannot_write(may, tmp_path):
    with pytest.raises(CommandError, match=r"无法写入文件“.*没有这个目录/通报\.docx”"):
        call_command("bulletin", "--period=2022-05", f"--out={tmp_path / '没有这个目录' / '通报.docx'}")


@pytest.mark.skipif(pdf.soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_it_converts_to_pdf_when_asked(may, tmp_path):
    output = run_bulletin(tmp_path, "--pdf")
    assert (tmp_path / "通报.pdf").stat().st_size > 10_000
    assert "已生成 PDF" in output


def test_it_says_when_the_period_does_not_exist(city, tmp_path):
    with pytest.raises(CommandError, match="2022年7月通报无法生成：调度期 2022-07 不存在"):
        call_command("bulletin", "--period=2022-07", f"--out={tmp_path / 'x.docx'}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period=2022-13"], "调度期“2022-13”格式不对"),
        (["--period=2022-05", "--as-of=31/05/2022"], "截至日期“31/05/2022”格式不对"),
        (["--period=2022-05", "--user=nobody"], "用户“nobody”不存在或已停用"),
        (
            ["--period=2022-05", "--requirements=/no/such/file.txt"],
            "“下步要求”文件“/no/such/file.txt”无法读取",
        ),
    ],
)
def test_it_explains_bad_arguments(city, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("bulletin", *args, f"--out={tmp_path / 'x.docx'}")


@pytest.mark.parametrize(
    ("now", "as_of"),
    [
        ("2022-07-03 10:00+08:00", "2022-05-31"),  # a past month: as it closed
        ("2022-05-20 23:30+08:00", "2022-05-20"),  # the running month: today, in Shanghai
        ("2022-05-20 16:30+00:00", "2022-05-21"),  # UTC afternoon is the next morning in Shanghai
    ],
)
def test_without_as_of_it_gives_the_period_as_the_dispatch_pages_do(may, tmp_path, now, as_of):
    make_user("office1", role="office")
    with time_machine.travel(datetime.datetime.fromisoformat(now), tick=False):
        call_command(
            "bulletin",
            "--period=2022-05",
            "--user=office1",
            f"--out={tmp_path / 'b.docx'}",
            stdout=io.StringIO(),
        )
    assert AuditLog.objects.get(action="documents.bulletin.generated").after["as_of"] == as_of


def test_in_a_terminal_the_bulletin_shows_its_steps(may, tmp_path):
    from tests.terminal import full_bar, in_a_terminal

    text = in_a_terminal(
        "bulletin",
        "--period=2022-05",
        "--as-of=2022-05-31",
        "--issue-date=2022-06-06",
        f"--out={tmp_path / '通报.docx'}",
    )
    assert "已处理 0 / 2 步（0%）" in text
    assert full_bar(text).startswith(f"[{'#' * 30}] 已完成 2 步（100%）")
    assert "\n已生成《关于2022年5月" in text.replace("\r\n", "\n")
    assert "\r" not in run_bulletin(tmp_path)  # into a file or a pipe: no bar
