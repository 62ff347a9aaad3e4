"""The bulletin's annex from the other lines of work — 三同步 follow-ups per gatekeeping unit,
结对共建, 五融入五提升 and the brand campaign — as of the bulletin's date: a sentence each in the
Word document and its preview, a sheet each in the workbook, every number equal to a count made
by hand from the data built here (and to the apps' own functions, which the bulletin calls)."""

import datetime
import io
from decimal import Decimal

import docx
import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from liangxin.brands import services as brand_services
from liangxin.brands.models import Brand, Level, Stage
from liangxin.core.models import Region, RegionLevel
from liangxin.integration import services as integration_services
from liangxin.pairings import services as pairing_services
from liangxin.pairings.models import PairingProject
from liangxin.registry.models import FollowUp
from tests.coverage.factories import make_org, make_party_org
from tests.dispatch.factories import unit
from tests.documents.readback import document_figures
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
QINGYUAN = "360803"
TAOSHUXIA = "360802001001"  # 吉州区 古南街道 桃树下居委会


def local(day: str, hour: int = 10, minute: int = 0) -> datetime.datetime:
    d = D.fromisoformat(day)
    return timezone.make_aware(datetime.datetime(d.year, d.month, d.day, hour, minute))


def make_bulletin(tmp_path, period="2022-05", as_of="2022-05-31"):
    call_command(
        "bulletin", f"--period={period}", f"--as-of={as_of}", "--issue-date=2022-06-06",
        f"--out={tmp_path / '通报.docx'}", f"--xlsx={tmp_path / '通报.xlsx'}", stdout=io.StringIO(),
    )  # fmt: skip
    content = (tmp_path / "通报.docx").read_bytes()
    paragraphs = [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]
    return content, paragraphs, openpyxl.load_workbook(tmp_path / "通报.xlsx")


def rows_of(sheet) -> dict:
    return {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}


# ---------------------------------------------------------------------------- 三同步


def followup(unit_name, *, opened, due, closed=None):
    """One follow-up (one per organization and kind) opened, due and closed on those local days."""
    org = make_org(f"新设公司{FollowUp.objects.count() + 1}")
    row = FollowUp.objects.create(
        organization=org, kind="new", due_on=D.fromisoformat(due), unit=unit(unit_name) if unit_name else None
    )
    fields = {"opened_at": local(opened) if isinstance(opened, str) else opened}
    if closed:
        fields |= {
            "status": FollowUp.Status.DONE,
            "closed_at": local(closed) if isinstance(closed, str) else closed,
        }
    FollowUp.objects.filter(pk=row.pk).update(**fields)


def test_follow_ups_due_overdue_and_closed_this_month_per_unit(may, tmp_path, client_for, office):
    market = "市场监管局"
    followup(market, opened="2022-04-10", due="2022-05-10")  # due in May, open: overdue
    followup(market, opened="2022-05-03", due="2022-06-02", closed="2022-05-20")  # opened, closed in time
    followup(market, opened="2022-03-01", due="2022-03-31", closed="2022-05-05")  # closed late in May
    followup(market, opened="2022-02-01", due="2022-03-03")  # overdue since March
    followup(market, opened="2022-05-30", due="2022-06-29")  # opened, not yet due
    followup(market, opened="2022-04-01", due="2022-05-15", closed="2022-06-01")  # still open on May 31
    followup(market, opened="2022-04-01", due="2022-05-01", closed="2022-04-28")  # due in May, done before
    followup(market, opened="2022-06-02", due="2022-07-02")  # after the bulletin's date: not counted
    # closed at 23:30 on May 31 Shanghai time (15:30 UTC): closed this month, a day late
    followup("民政局", opened="2022-05-12", due="2022-05-30", closed=local("2022-05-31", 23, 30))
    followup(None, opened="2022-05-15", due="2022-06-14")  # not routed to a unit yet
    followup("司法局", opened="2022-03-01", due="2022-04-01", closed="2022-03-20")  # nothing this month

    content, paragraphs, book = make_bulletin(tmp_path)

    # 市场监管局: opened 2, due in May 3, closed in May 2 (1 by its due day), overdue 3
    rows = rows_of(book["附件 三同步跟进"])
    assert rows == {
        "市场监管局": (2, 3, 2, 1, 3),
        "民政局": (1, 1, 1, 0, 0),
        "未指定责任单位": (1, 0, 0, 0, 0),
        "合计": (4, 4, 3, 1, 3),
    }
    assert document_figures(content)[0]["annex"]["followups"] == (4, 4, 3, 1, 3)
    sentence = next(p for p in paragraphs if "三同步" in p)
    assert sentence.startswith(
        "截至2022年5月31日，三同步跟进事项本月新发起4件、到期4件、办结3件（其中按期办结1件），逾期未办结3件。分单位看，"
    )
    for part in (
        "市场监管局新发起2件、到期3件、办结2件、逾期未办结3件",
        "民政局新发起1件、到期1件、办结1件、逾期未办结0件",
        "未指定责任单位新发起1件、到期0件、办结0件、逾期未办结0件",
    ):
        assert part in sentence
    assert "司法局" not in sentence
    # the office's preview of the bulletin says the same
    page = client_for(office).get(reverse("documents:period", args=["2022-05"]), {"as_of": "2022-05-31"})
    assert sentence in page.content.decode()
    # and so does the dispatch board, row by row, within what each viewer sees
    board = {"period": "2022-05", "as_of": "2022-05-31"}
    text = client_for(office).get(reverse("dispatch:board"), board).content.decode()
    assert "三同步跟进（2022年5月，截至5月31日）" in text
    cells = lambda *n: "".join(f'<td class="num">{v}</td>' for v in n)  # noqa: E731
    assert "<td>民政局</td>" + cells(1, 1, 1, 0, 0) in text
    assert "<td>市场监管局</td>" + cells(2, 3, 2, 1) in text and "司法局</td>" not in text
    taihe = make_user("taihe", role="county", region="360826")  # the follow-ups are all in 吉州区
    elsewhere = client_for(taihe).get(reverse("dispatch:board"), board).content.decode()
    assert "本月没有三同步跟进事项" in elsewhere and "市场监管局</td>" not in elsewhere


def test_a_month_without_follow_ups_says_so(may, tmp_path):
    content, paragraphs, book = make_bulletin(tmp_path)
    assert "截至2022年5月31日，本月没有三同步跟进事项，也没有逾期未办结的跟进事项。" in paragraphs
    assert rows_of(book["附件 三同步跟进"]) == {"合计": (0, 0, 0, 0, 0)}
    figures, unread = document_figures(content)
    assert unread == []
    figures = figures["annex"]
    assert figures["followups"] is None


# ---------------------------------------------------------------------------- 结对共建


def village(county: str, index: int = 0, key: bool = False) -> Region:
    found = Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=county).order_by("code")[index]
    if key:
        Region.objects.filter(pk=found.pk).update(key_village=True)
    return found


def pair(org, place, start, end=None, projects=()):
    pairing = pairing_services.save_pairing(
        None, actor=None, organization=org, village=place, starts_on=start, ends_on=end
    )[0]
    for title, year, funds, people in projects:
        PairingProject.objects.create(
            pairing=pairing,
            title=title,
            kind="charity",
            year=year,
            funds=Decimal(funds),
            people_helped=people,
        )
    return pairing


def test_pairings_running_this_year_by_the_bulletins_date(may, tmp_path):
    qingyuan = Region.objects.filter(parent__code=QINGYUAN).order_by("code").first().code
    taoshuxia = Region.objects.get(code=TAOSHUXIA)
    Region.objects.filter(pk=taoshuxia.pk).update(key_village=True)
    pair(make_org("吉州结对甲"), taoshuxia, D(2022, 3, 1),
         projects=[("社区食堂", 2022, "12.5", 80), ("助学", 2022, "3.25", 20), ("修路", 2021, "100", 500)])  # fmt: skip
    pair(make_org("吉州结对乙"), village("360802", 5), D(2021, 6, 1), projects=[("茶园", 2022, "30", 120)])
    pair(make_org("青原结对甲", region=qingyuan), village(QINGYUAN, 0), D(2022, 5, 31))  # on the day: counted
    # started after the bulletin's date, and one that ended last year: neither counts,
    # and their key villages are still without a pair on May 31
    pair(make_org("青原结对乙", region=qingyuan), village(QINGYUAN, 3, key=True), D(2022, 6, 15))
    pair(make_org("吉州结对丙"), village("360802", 9, key=True), D(2020, 1, 1), D(2021, 12, 31))

    content, paragraphs, book = make_bulletin(tmp_path)

    sentence = (
        "结对共建方面，截至2022年5月31日，2022年在结对3对，涉及两新组织3家、村（社区）3个（其中乡村振兴重点帮扶村1个）；"
        "实施帮扶项目3个，投入资金45.75万元，受益群众220人；乡村振兴重点帮扶村中尚未结对的有2个。"
        "分县（市、区）看，吉州区2对、青原区1对。"
    )
    assert sentence in paragraphs
    figures, unread = document_figures(content)
    assert unread == []
    figures = figures["annex"]
    assert figures["pairings"] == (3, 3, 3, 1, 3, "45.75", 220)
    assert figures["unpaired_key_villages"] == 2
    sheet = book["附件 结对共建"]
    assert "尚未结对的乡村振兴重点帮扶村2个" in sheet["A1"].value
    rows = rows_of(sheet)
    assert rows["吉州区"] == (2, 2, 2, 1, 3, 45.75, 220)
    assert rows["青原区"] == (1, 1, 1, 0, 0, 0, 0)
    assert rows["合计"] == (3, 3, 3, 1, 3, 45.75, 220)


# ---------------------------------------------------------------------------- 五融入五提升


def assess(name, region, year, scores, on):
    org = make_org(name, region=region, members=5)
    make_party_org(f"{name}党支部", org)
    keys = ["governance", "business", "operations", "workers", "ideology"]
    integration_services.save_assessment(
        org,
        actor=None,
        year=year,
        scores=dict(zip(keys, scores, strict=True)),
        assessor="评估组",
        assessed_on=on,
    )


def test_integration_assessments_made_by_the_bulletins_date(may, tmp_path):
    qingyuan = Region.objects.filter(parent__code=QINGYUAN).order_by("code").first().code
    assess("吉州评估甲", "360802001", 2022, [4, 3, 5, 4, 4], D(2022, 4, 10))
    assess("吉州评估乙", "360802001", 2022, [2, 3, 4, 3, 3], D(2022, 5, 20))
    assess("吉州评估丙", "360802001", 2022, [5, 5, 5, 5, 5], D(2022, 6, 10))  # after the date: not counted
    assess("青原评估甲", qingyuan, 2022, [3, 3, 3, 2, 3], D(2022, 5, 5))
    assess("吉州去年", "360802001", 2021, [3, 3, 3, 3, 3], D(2021, 11, 1))

    content, paragraphs, book = make_bulletin(tmp_path)

    # averages of the three: 3.00 3.00 4.00 3.00 3.33 → 3.27, last year's 3.00; the first lowest is 政治功能
    assert (
        "“五融入五提升”方面，截至2022年5月31日，2022年已评估两新组织3家，五项平均3.27分，较上年提高0.27分，"
        "最薄弱的是政治功能。分县（市、区）看，吉州区2家、平均3.5分、最薄弱的是政治功能；"
        "青原区1家、平均2.8分、最薄弱的是服务功能。"
    ) in paragraphs
    figures, unread = document_figures(content)
    assert unread == []
    figures = figures["annex"]
    assert figures["integration"] == (3, "3.27", "较上年提高0.27分", "政治功能")
    rows = rows_of(book["附件 五融入五提升"])
    assert rows["吉州区"] == (2, 3.0, 3.0, 4.5, 3.5, 3.5, 3.5, "政治功能", 0.5)
    assert rows["青原区"] == (1, 3.0, 3.0, 3.0, 2.0, 3.0, 2.8, "服务功能", "—")
    assert rows["合计"] == (3, 3.0, 3.0, 4.0, 3.0, 3.33, 3.27, "政治功能", 0.27)


# ---------------------------------------------------------------------------- the brand campaign


def brand(campaign, unit_name, name, when, stage, named_on=None):
    with time_machine.travel(f"{when} 10:00 +0800", tick=False):
        item = Brand(campaign=campaign, name=name, level=Level.ENTERPRISE, unit=unit(unit_name), stage=stage)
        item.named_on = named_on
        return brand_services.save_brand(item, actor=None)


def test_the_brand_campaign_as_it_stood_on_the_bulletins_date(may, tmp_path, office):
    with time_machine.travel("2022-03-01 09:00 +0800", tick=False):
        campaign = brand_services.open_campaign(
            2022, actor=office, units=[unit("民政局"), unit("司法局")], deadline=D(2022, 5, 20)
        )
    brand(campaign, "民政局", "民政甲", "2022-05-10", Stage.NAMED, D(2021, 10, 1))  # 6 months: Apr 1, overdue
    brand(campaign, "民政局", "民政乙", "2022-05-12", Stage.BUILDING)
    brand(campaign, "司法局", "司法甲", "2022-05-18", Stage.NAMED, D(2021, 11, 25))  # 6 months: May 25, due
    stopped = brand(campaign, "司法局", "司法乙", "2022-05-19", Stage.PLANNED)
    brand(campaign, "司法局", "司法丙", "2022-06-02", Stage.BUILT)  # after the bulletin's date
    with time_machine.travel("2022-05-26 10:00 +0800", tick=False):
        brand_services.close_brand(stopped, actor=None, on=D(2022, 5, 25), note="企业搬迁，活动停办")
    brand_services.report_brands(campaign, unit("民政局"), actor=None, at=local("2022-05-15"))

    content, paragraphs, book = make_bulletin(tmp_path)

    assert (
        "品牌创建方面，2022年“一域一品、一企一品”品牌及示范点申报（申报截止5月20日）应申报单位2个，"
        "截至2022年5月31日已申报1个，逾期未申报的有司法局；已登记品牌和示范点4个（计划1个、创建中1个、已建成0个、已命名2个）；"
        "已命名品牌待回访1个、逾期未回访1个，已停止运行（推出即下架）1个。"
    ) in paragraphs
    figures, unread = document_figures(content)
    assert unread == []
    figures = figures["annex"]
    assert figures["brands"] == (2, 1, "司法局", 4, "计划1个、创建中1个、已建成0个、已命名2个")
    rows = rows_of(book["附件 品牌创建"])
    assert rows["应申报单位（个）"] == (2,)
    assert rows["已申报单位（个）"] == (1,)
    assert rows["逾期未申报单位"] == ("司法局",)
    assert rows["已登记品牌和示范点（个）"] == (4,)
    assert rows["其中已命名（个）"] == (2,)
    assert rows["其中一企一品（个）"] == (4,)
    assert (rows["已命名品牌待回访（个）"], rows["逾期未回访（个）"]) == ((1,), (1,))
    assert rows["已停止运行（推出即下架）（个）"] == (1,)


def test_nothing_yet_in_the_three_ledgers_reads_as_such(may, tmp_path):
    content, paragraphs, book = make_bulletin(tmp_path)
    assert "结对共建方面，截至2022年5月31日，2022年尚无在结对的两新组织。" in paragraphs
    assert "“五融入五提升”方面，截至2022年5月31日，2022年尚未有两新组织完成评估。" in paragraphs
    assert "品牌创建方面，截至2022年5月31日，2022年品牌申报尚未开启。" in paragraphs
    figures, unread = document_figures(content)
    assert unread == []
    figures = figures["annex"]
    assert (figures["pairings"], figures["integration"], figures["brands"]) == (None, None, None)
    assert rows_of(book["附件 结对共建"]) == {"合计": (0, 0, 0, 0, 0, 0, 0)}
    assert rows_of(book["附件 五融入五提升"]) == {"合计": (0, "—", "—", "—", "—", "—", "—", "—", "—")}
    assert rows_of(book["附件 品牌创建"]) == {"品牌申报": ("2022年尚未开启",)}


def test_a_bulletin_published_before_the_annex_was_counted_reads_back_without_it(may):
    from liangxin.documents import annex
    from liangxin.documents.serialize import bulletin_from_json, bulletin_to_json
    from liangxin.documents.services import make_bulletin as build

    stored = bulletin_to_json(build(period=D(2022, 5, 1), as_of=D(2022, 5, 31), issue_date=D(2022, 6, 6)))
    assert annex.ledger_paragraphs(bulletin_from_json(stored))  # kept with a bulletin published now
    for key in ("followups", "pairings", "integration", "brands"):
        del stored["bulletin"][key]
    old = bulletin_from_json(stored)
    assert annex.followup_paragraphs(old) == [] and annex.ledger_paragraphs(old) == []
