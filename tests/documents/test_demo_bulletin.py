"""Must show (issue 6): the May 2022 bulletin of the demo data.

The demo (`liangxin demo`: about 20,000 organizations, the 2022 plan with reports for January to
May) is loaded once for this module, inside a transaction that is rolled back before the tests
run; the fixture keeps what the tests read: the .docx and .xlsx written by `liangxin bulletin`
and the JSON of `liangxin coverage` and `liangxin dispatch_status` for the same period and date.

As-of date: 2022-05-31, the last day of the period. The office writes May's bulletin in early
June about May as it closed; it is the date the period page and `dispatch_status` default to
for a past month, and the date `liangxin bulletin` now defaults to. Last month's figures are
as of 2022-04-30 (nothing is published in the demo, so the change from last month reads them).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from python_calamine import CalamineWorkbook

from liangxin.dispatch.models import Task
from liangxin.documents import pdf
from liangxin.documents.annex import number
from tests.documents import format_checks
from tests.documents.readback import command_figures, document_figures
from tests.factories import make_user

# The database is set up for the module's fixture (pytest-django creates it only for marked tests).
pytestmark = pytest.mark.django_db

# A task title as an office user might type it: text that a spreadsheet would run as a formula.
FORMULA_TITLE = '=HYPERLINK("http://example.invalid","成立物流行业党委")'


@dataclass
class DemoMay:
    docx: Path
    xlsx: Path
    coverage: dict
    dispatch: dict
    last_coverage: dict
    last_dispatch: dict
    sentinel: dict
    annex: dict  # `liangxin brands/pairings/integration --json` for the bulletin's year (and date)
    output: str
    phones: set[str]  # every personal phone number the demo holds (organizations, instructors, riders)
    cockpit: dict  # /cockpit/data/<chart>.json?period=2022-05 as the demo's office gets them


def _json_of(command: str, *args: str) -> dict:
    out = io.StringIO()
    call_command(command, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _personal_phones() -> set[str]:
    from liangxin.coverage.models import Instructor
    from liangxin.registry.models import Organization
    from liangxin.workforce.models import SentinelReport

    phones = set(Organization.objects.exclude(phone="").values_list("phone", flat=True))
    phones |= set(Instructor.objects.exclude(phone="").values_list("phone", flat=True))
    phones |= set(SentinelReport.objects.exclude(reporter_phone="").values_list("reporter_phone", flat=True))
    return phones


def _cockpit_json(*charts: str) -> dict:
    """The cockpit's charts for 2022年5月 (a past period: as of May 31) as an office user opens
    them (a new account whose second factor is passed, as tests/conftest.py's force_login does:
    that function-scoped fixture does not reach a module's)."""
    user = make_user("cockpit_office", role="office")
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    found = {}
    # no task worker (as tests/conftest.py's function-scoped fixture sets): the page counts every
    # day it shows itself, the tiles' day a month earlier too
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        for name in charts:
            response = client.get(f"/cockpit/data/{name}.json?period=2022-05")
            assert response.status_code == 200, name
            found[name] = response.json()
    return found


@pytest.fixture(scope="module")
def demo_may(django_db_setup, django_db_blocker, tmp_path_factory) -> DemoMay:
    folder = tmp_path_factory.mktemp("demo-may")
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        call_command("demo", stdout=io.StringIO())
        renamed = Task.objects.filter(plan__year=2022, title="成立物流行业党委").update(title=FORMULA_TITLE)
        assert renamed == 1
        call_command(
            "bulletin",
            "--period=2022-05",
            "--as-of=2022-05-31",
            "--issue-date=2022-06-06",
            f"--out={folder / '通报.docx'}",
            f"--xlsx={folder / '通报.xlsx'}",
            stdout=out,
        )
        result = DemoMay(
            docx=folder / "通报.docx",
            xlsx=folder / "通报.xlsx",
            coverage=_json_of("coverage", "--as-of=2022-05-31"),
            dispatch=_json_of("dispatch_status", "--period=2022-05", "--as-of=2022-05-31"),
            last_coverage=_json_of("coverage", "--as-of=2022-04-30"),
            last_dispatch=_json_of("dispatch_status", "--period=2022-04", "--as-of=2022-04-30"),
            sentinel=_json_of("sentinel_stats", "--period=2022-05"),
            annex={
                "brands": _json_of("brands", "--campaign=2022", "--as-of=2022-05-31"),
                "pairings": _json_of("pairings", "--year=2022", "--as-of=2022-05-31"),
                "integration": _json_of("integration", "--year=2022", "--as-of=2022-05-31"),
            },
            output=out.getvalue(),
            phones=_personal_phones(),
            cockpit=_cockpit_json("lights", "tiles", "coverage", "should_build", "reporting", "lagging"),
        )
        transaction.set_rollback(True)
    cache.clear()
    return result


def test_the_demo_may_bulletin_is_made_from_the_demo(demo_may):
    assert "已生成《关于2022年5月全市基层党建重点任务推进情况的通报》" in demo_may.output
    assert demo_may.coverage["total"]["in_scope"] > 10_000  # the full demo, not a sample
    # The plan's 14 tasks, and those other lines of work add (the 工委 meeting's decisions, …).
    assert {str(n) for n in range(1, 15)} <= {t["code"] for t in demo_may.dispatch["tasks"]}


@pytest.mark.skipif(
    pdf.soffice() is None,
    reason="LibreOffice (soffice) is not installed: apt-get install -y libreoffice-writer-nogui fonts-noto-cjk",
)
def test_it_opens_in_libreoffice_and_converts_to_an_a4_pdf(demo_may, tmp_path):
    result = pdf.convert_to_pdf(demo_may.docx, tmp_path)
    assert result.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo") and shutil.which("pdftotext"):
        info = subprocess.run(["pdfinfo", str(result)], capture_output=True, text=True, check=True).stdout
        assert "A4" in info
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3
        text = subprocess.run(
            ["pdftotext", str(result), "-"], capture_output=True, text=True, check=True
        ).stdout
        compact = re.sub(r"\s+", "", text)
        assert "重点任务推进情况的通报" in compact and "—1—" in compact and "—2—" in compact
        city = demo_may.coverage["total"]
        assert f"全市纳入统计的两新组织共{city['in_scope']}家" in compact


@pytest.mark.parametrize(
    "check",
    [
        format_checks.check_a4_and_margins,
        format_checks.check_22_lines_of_28_characters,
        format_checks.check_fonts_of_the_standard,
        format_checks.check_east_asian_font_on_every_run,
        format_checks.check_fallback_font_names,
        format_checks.check_headings,
        format_checks.check_page_numbers,
        format_checks.check_table_headers_repeat,
    ],
    ids=lambda check: check.__name__,
)
def test_it_has_the_page_setup_and_fonts_of_the_standard(demo_may, check):
    check(docx.Document(demo_may.docx))


def annex_figures(read: dict, commands: dict) -> dict:
    """What the annex sentences must say, from the ledgers' commands as of the bulletin's date
    (the demo assesses its 2022 organizations on 20 November: none is counted in May)."""
    brands, pairings, integration = commands["brands"], commands["pairings"], commands["integration"]
    assert integration["total"]["assessed"] == 0 and read["integration"] is None
    assert pairings["pairings"] > 0
    expected = (
        pairings["pairings"], pairings["organizations"], pairings["villages"], pairings["key_villages"],
        pairings["projects"], number(Decimal(pairings["funds"])), pairings["people_helped"],
    )  # fmt: skip
    assert tuple(map(str, read["pairings"])) == tuple(map(str, expected))
    assert read["unpaired_key_villages"] == len(pairings["key_villages_unpaired"])
    return {
        **read,
        "brands": (
            brands["expected_units"], brands["reported_units"], "、".join(brands["late_units"]) or None,
            sum(brands["brands"].values()), "、".join(f"{label}{n}个" for label, n in brands["brands"].items()),
        ),
    }  # fmt: skip


def test_every_number_equals_the_coverage_and_dispatch_commands(demo_may):
    figures, unread = document_figures(demo_may.docx.read_bytes())
    assert unread == []  # no paragraph carries a number the read-back does not check
    expected = command_figures(
        demo_may.coverage, demo_may.dispatch, demo_may.last_coverage, demo_may.last_dispatch
    )
    expected["sentinel"] = (demo_may.sentinel["reports"], demo_may.sentinel["closed"])
    expected["annex"] = annex_figures(figures["annex"], demo_may.annex)
    assert expected["sentinel"][0] > 0  # the demo has a month of 流动哨兵 reports in May 2022
    for key in expected:
        assert figures.get(key) == expected[key], key
    assert figures.keys() == expected.keys()
    # the demo gives the check something to bite on
    assert figures["lagging"] and figures["overdue"] and figures["late"] and figures["red_list"]
    # the month's counts add up (domain.md §6): lights over the expected pairs only
    _tasks, expected, *lights = figures["overall"]
    assert sum(lights) == expected
    assert figures["earlier_done"] > 0  # pairs finished and accepted before May are shown apart
    in_table = sum(int(re.match(r"应报送单位(\d+)个", row[3]).group(1)) for row in figures["tasks"].values()
                   if row[3].startswith("应报送"))  # fmt: skip
    assert in_table == expected
    assert len(figures["coverage_rows"]) == len(demo_may.coverage["rows"]) + 1


def test_the_workbook_opens_in_openpyxl_and_calamine_and_formula_text_stays_text(demo_may):
    book = openpyxl.load_workbook(demo_may.xlsx)
    tasks = book["重点任务推进情况"]
    cells = [row for row in tasks.iter_rows(min_row=3) if row[1].value == FORMULA_TITLE]
    assert len(cells) == 1 and cells[0][1].data_type == "s"
    assert not any(c.data_type == "f" for sheet in book for row in sheet.iter_rows() for c in row)
    calamine = CalamineWorkbook.from_path(str(demo_may.xlsx))
    assert calamine.sheet_names == book.sheetnames
    rows = calamine.get_sheet_by_name("重点任务推进情况").to_python()
    assert FORMULA_TITLE in [row[1] for row in rows]
    grid = calamine.get_sheet_by_name("任务单位明细").to_python()
    pairs = sum(len(task["units"]) for task in demo_may.dispatch["tasks"])
    assert len([row for row in grid[2:] if row[0]]) == pairs


def test_the_workbook_counts_equal_the_command_and_add_up(demo_may):
    totals = demo_may.dispatch["totals"]
    sheet = {
        row[0].value: row[1].value
        for row in openpyxl.load_workbook(demo_may.xlsx)["总体情况"].iter_rows(min_row=3)
    }
    lights = [sheet[f"{word}（个）"] for word in ("已完成", "正常推进", "滞后", "逾期")]
    assert lights == [totals[k] for k in ("done", "green", "yellow", "red")]
    assert sum(lights) == sheet["应报送事项（个）"] == totals["expected"]
    assert sheet["此前已完成、本月不再报送（个）"] == totals["earlier_done"]
    assert (sheet["已报送（个）"], sheet["按时报送（个）"]) == (totals["submitted"], totals["on_time"])
    board = list(openpyxl.load_workbook(demo_may.xlsx)["红黑榜"].iter_rows(min_row=3, values_only=True))
    assert [r[2] for r in board if r[0] == "红榜"] == demo_may.dispatch["red_list"]
    assert [r[2] for r in board if r[0] == "黑榜"] == demo_may.dispatch["black_list"]


def test_the_bulletin_and_its_workbook_carry_no_personal_phone_number(demo_may):
    """Documents carry figures, not people: no phone of an organization, an instructor or a rider
    (README “Jurisdiction and personal data”), whoever prints them."""
    assert len(demo_may.phones) > 1_000  # the demo holds them: the test can fail
    document = docx.Document(str(demo_may.docx))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    calamine = CalamineWorkbook.from_path(str(demo_may.xlsx))
    for name in calamine.sheet_names:
        texts += [str(v) for row in calamine.get_sheet_by_name(name).to_python() for v in row]
    found = {m for text in texts for m in re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)}
    assert not found & demo_may.phones
    assert not any("****" in text for text in texts)  # not even masked


def _tile_change(tile: dict) -> str | None:
    """A tile's change as the read-back writes the docx's (“+1.2”, “-0.4”, “0.0”)."""
    if tile["change"] is None:
        return None
    points = Decimal(str(tile["change"])).quantize(Decimal("0.1"))
    return f"+{points}" if points > 0 else ("0.0" if points == 0 else str(points))


def test_the_cockpit_json_says_what_the_docx_says(demo_may):
    """Must show: for the demo's May the cockpit's JSON counts equal the docx's and the
    command's, and done + red + yellow + green = expected there too."""
    figures, _ = document_figures(demo_may.docx.read_bytes())
    totals, cockpit = demo_may.dispatch["totals"], demo_may.cockpit
    lights = cockpit["lights"]
    assert "2022年5月31日" in lights["title"]
    shown = dict(zip(lights["codes"], [n for _, n in lights["rows"]], strict=True))
    _tasks, expected, *counted = figures["overall"]
    assert [shown[k] for k in ("done", "green", "yellow", "red")] == counted
    assert shown == {k: totals[k] for k in ("done", "green", "yellow", "red")}
    assert lights["expected"] == expected == totals["expected"] == sum(shown.values())
    assert f"此前已完成{figures['earlier_done']}个" in lights["note"]
    tiles = {t["key"]: t for t in cockpit["tiles"]["tiles"]}
    _submitted, report, report_change, _on_time, on_time_rate, on_time_change = figures["reporting"]
    assert (tiles["report_rate"]["text"], _tile_change(tiles["report_rate"])) == (report, report_change)
    assert (tiles["on_time_rate"]["text"], _tile_change(tiles["on_time_rate"])) == (
        on_time_rate,
        on_time_change,
    )
    assert tiles["red"]["value"] == totals["red"] == counted[-1]
    _in_scope, org, org_change, _single, _single_change, work, work_change, should_build, _none = figures[
        "city"
    ]
    assert (tiles["org_rate"]["text"], _tile_change(tiles["org_rate"])) == (org, org_change)
    assert (tiles["work_rate"]["text"], _tile_change(tiles["work_rate"])) == (work, work_change)
    assert tiles["should_build"]["value"] == should_build == demo_may.coverage["total"]["should_build"]
    # by county: the bars' rates and 应建未建 are the docx table's
    table = figures["coverage_rows"]  # 纳入统计, 组织覆盖率, 较上月, 单独组建率, 工作覆盖率, 应建未建, 未覆盖
    bars = cockpit["coverage"]["display"]
    assert len(bars) == len([row for row in demo_may.coverage["rows"] if row["in_scope"]]) > 10
    for name, org_rate, single_rate, work_rate in bars:
        assert (table[name][1], table[name][3], table[name][4]) == (org_rate, single_rate, work_rate), name
    for name, count in cockpit["should_build"]["rows"]:
        assert table[name][5] == str(count), name
    # per unit and per pair: the command's
    rates = {u["unit"]: u for u in demo_may.dispatch["units"] if u["expected"]}
    assert {row[0] for row in cockpit["reporting"]["rows"]} == set(rates)
    lagging = cockpit["lagging"]["rows"]
    assert (sum(r[3] == "逾期" for r in lagging), sum(r[3] == "滞后" for r in lagging)) == (
        totals["red"],
        totals["yellow"],
    )
