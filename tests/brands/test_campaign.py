"""The brand campaign: a deadline (June 30 by default), the units that must report, late units
red on the dispatch board and in the bulletin, revisits 6 and 12 months after a brand is named
chased by `dispatch_tick` on the right days, and brands counted when found inactive."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from liangxin.brands import services
from liangxin.brands.models import Brand, Revisit, Stage
from liangxin.brands.status import campaign_status
from liangxin.dispatch.models import Category, Notice
from liangxin.dispatch.periods import open_period
from liangxin.dispatch.status import period_status
from liangxin.documents.bulletin import problem_sections
from liangxin.documents.services import make_bulletin
from tests.brands.factories import add_brand, report
from tests.dispatch.factories import unit
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_campaign_is_due_june_30_and_is_a_dispatch_task_of_the_expected_units(campaign):
    assert campaign.deadline == D(2022, 6, 30)
    task = campaign.task
    assert (task.category, task.deadline, task.measure) == (
        Category.BRAND,
        D(2022, 6, 30),
        "brands.campaign:2022",
    )
    assert sorted(task.assignments.values_list("unit__name", flat=True)) == ["司法局", "民政局"]
    assert campaign.revisit_months == [6, 12]


def test_a_unit_that_has_not_reported_by_the_deadline_is_late_on_the_board_and_in_the_bulletin(campaign):
    add_brand(campaign, "民政局", "社会组织党建“红色引擎”")
    report(campaign, "民政局", "2022-06-20")
    assert campaign_status(campaign, D(2022, 6, 30)).late_units == []  # the deadline itself is in time
    status = campaign_status(campaign, D(2022, 7, 1))
    assert [row.unit.name for row in status.late_units] == ["司法局"]
    assert (status.expected_units, status.reported_units) == (2, 1)

    july, _ = open_period(D(2022, 7, 1), actor=None)
    board = period_status(july, D(2022, 7, 1))
    assert board.cells[(campaign.task.pk, unit("司法局").pk)].light == "red"
    assert board.cells[(campaign.task.pk, unit("民政局").pk)].light == "done"

    bulletin = make_bulletin(period=D(2022, 7, 1), as_of=D(2022, 7, 1), issue_date=D(2022, 7, 2))
    overdue = {task.code: task for task in bulletin.overdue}
    assert overdue[campaign.task.code].units == ["司法局"]
    assert "司法局" in dict(problem_sections(bulletin))["（一）任务逾期"]


def test_a_report_after_the_deadline_still_counts_late(campaign):
    add_brand(campaign, "司法局", "律师行业“法护民企”", when="2022-07-02")
    report(campaign, "司法局", "2022-07-03")
    rows = {row.unit.name: row for row in campaign_status(campaign, D(2022, 7, 5)).units}
    assert rows["司法局"].late and rows["司法局"].reported_at is not None
    assert rows["民政局"].late and rows["民政局"].reported_at is None


def test_reporting_without_a_brand_is_refused(campaign):
    with pytest.raises(services.BrandError, match="请先登记"):
        report(campaign, "司法局", "2022-06-01")


def test_a_unit_not_called_on_cannot_register_a_brand(campaign):
    with pytest.raises(services.BrandError, match="不是2022年品牌申报的应申报单位"):
        add_brand(campaign, "网信办", "网络直播“清朗”")


def test_named_without_a_date_is_refused(campaign):
    with pytest.raises(services.BrandError, match="命名日期"):
        add_brand(campaign, "民政局", "无日期品牌", stage=Stage.NAMED)


def tick(day: str) -> list[str]:
    with time_machine.travel(f"{day} 08:00 +0800", tick=False):
        call_command("dispatch_tick", stdout=io.StringIO())
    return sorted(Notice.objects.filter(kind__startswith="revisit").values_list("kind", flat=True))


def test_a_named_brand_is_revisited_6_and_12_months_later_chased_by_dispatch_tick(campaign):
    brand = add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 7, 15))
    assert list(brand.revisits.values_list("months", "due_on")) == [(6, D(2023, 1, 15)), (12, D(2023, 7, 15))]
    assert tick("2023-01-14") == []
    assert tick("2023-01-15") == ["revisit_due"]
    notice = Notice.objects.get(kind="revisit_due")
    assert notice.unit.name == "民政局" and "红色社工站" in notice.message and notice.sent_at is not None
    assert tick("2023-01-15") == ["revisit_due"]  # once, however often the tick runs
    assert tick("2023-02-14") == ["revisit_due"]  # 30 days of grace
    assert tick("2023-02-15") == ["revisit_due", "revisit_overdue"]
    assert campaign_status(campaign, D(2023, 1, 20)).revisits_due == 1
    status = campaign_status(campaign, D(2023, 2, 20))
    assert (status.revisits_due, status.revisits_overdue) == (0, 1)
    assert tick("2023-07-15") == ["revisit_due", "revisit_due", "revisit_overdue"]


def test_a_brand_found_inactive_is_marked_and_counted(campaign):
    brand = add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 7, 15))
    revisit = brand.revisits.get(months=6)
    with time_machine.travel("2023-01-20 10:00 +0800", tick=False):
        services.answer_revisit(revisit, actor=None, still_active=False, note="负责人调离，活动已停止")
    brand.refresh_from_db()
    assert not brand.active and brand.inactive_on == D(2023, 1, 20)
    assert not Revisit.objects.filter(brand=brand, answered_at__isnull=True).exists()
    assert campaign_status(campaign, D(2023, 1, 20)).inactive == 1
    assert campaign_status(campaign, D(2023, 1, 19)).inactive == 0
    with pytest.raises(services.BrandError, match="已填报"):
        services.answer_revisit(revisit, actor=None, still_active=True, note="再次填报")


def test_the_command_prints_the_campaign_as_json(campaign):
    add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 6, 1))
    add_brand(campaign, "民政局", "社会组织孵化基地")
    report(campaign, "民政局", "2022-06-20")
    out = io.StringIO()
    call_command("brands", "--campaign", "2022", "--as-of", "2022-12-05", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["expected_units"] == 2 and data["reported_units"] == 1
    assert data["late_units"] == ["司法局"]
    assert data["brands"] == {"计划": 0, "创建中": 1, "已建成": 0, "已命名": 1}
    assert (data["revisits_due"], data["revisits_overdue"], data["inactive"]) == (1, 0, 0)  # due 2022-12-01


def test_the_command_counts_only_the_users_units(campaign):
    make_user("minzheng", role="member_unit", member_unit="民政局")
    add_brand(campaign, "司法局", "法护民企")
    out = io.StringIO()
    call_command(
        "brands", "--campaign", "2022", "--as-of", "2022-07-01", "--user", "minzheng", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["expected_units"] == 1 and data["late_units"] == ["民政局"]
    assert data["brands"]["创建中"] == 0


def test_the_command_refuses_a_year_without_a_campaign(city):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="尚未开启"):
        call_command("brands", "--campaign", "2030", "--json")


def test_a_task_linked_to_the_campaign_prefills_the_units_report_with_its_brands(campaign, client_for):
    add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 6, 1))
    add_brand(campaign, "民政局", "社会组织孵化基地")
    open_period(D(2022, 6, 1), actor=None)
    user = make_user("minzheng", role="member_unit", member_unit="民政局")
    with time_machine.travel("2022-06-15 10:00 +0800", tick=False):
        page = client_for(user).get(reverse("dispatch:report_edit", args=["2022-06", campaign.task.pk]))
    text = page.content.decode()
    assert "已按系统中的数据预填" in text
    assert "本单位已申报品牌/示范点 2 个，其中已命名 1 个" in text
    assert "红色社工站（一企一品，已命名，2022年06月01日命名）" in text and "社会组织孵化基地" in text
    assert 'value="done" selected' in text or "selected>已完成" in text


class TestBrandPagesForAnOutsider(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, campaign):
        brand = add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 6, 1))
        revisit = brand.revisits.first()
        return ScopeCase(
            obj=brand,
            insider=make_user("minzheng", role="member_unit", member_unit="民政局"),
            outsider=make_user("sifa", role="member_unit", member_unit="司法局"),
            marker="红色社工站",
            detail_urls=[
                reverse("brands:detail", args=[brand.pk]),
                reverse("brands:edit", args=[brand.pk]),
                reverse("brands:close", args=[brand.pk]),
                reverse("brands:revisit_answer", args=[revisit.pk]),
            ],
            list_urls=[reverse("brands:index") + "?campaign=2022", reverse("brands:revisits") + "?state=all"],
            export_urls=[reverse("brands:export", args=["csv"]) + "?campaign=2022"],
            change_urls=[
                reverse("brands:evidence_upload", args=[brand.pk]),
                reverse("brands:close", args=[brand.pk]),
                reverse("brands:reopen", args=[brand.pk]),
                reverse("brands:revisit_answer", args=[revisit.pk]),
            ],
        )


def test_a_unit_registers_a_brand_and_reports_from_the_page(campaign, client_for):
    user = make_user("minzheng", role="member_unit", member_unit="民政局")
    client = client_for(user)
    with time_machine.travel("2022-06-10 10:00 +0800", tick=False):
        response = client.post(
            reverse("brands:create") + "?campaign=2022",
            {
                "name": "红色社工站",
                "level": "site",
                "unit": unit("民政局").pk,
                "stage": "building",
                "place": "桃树下社区",
            },
        )
        assert response.status_code == 302
        brand = Brand.objects.get()
        assert brand.region.code == "360802001001"
        client.post(reverse("brands:report") + "?campaign=2022")
    rows = {row.unit.name: row for row in campaign_status(campaign, D(2022, 6, 30)).units}
    assert rows["民政局"].reported_at is not None and not rows["民政局"].late


def test_another_units_user_cannot_register_for_it(campaign, client_for):
    user = make_user("sifa", role="member_unit", member_unit="司法局")
    response = client_for(user).post(
        reverse("brands:create") + "?campaign=2022",
        {"name": "冒名品牌", "level": "site", "unit": unit("民政局").pk, "stage": "building"},
    )
    assert response.status_code == 200 and not Brand.objects.exists()


def test_the_demo_campaign_has_late_units_named_brands_and_one_inactive(city, office):
    from liangxin.brands import demo
    from liangxin.brands.models import Campaign

    demo.load(city, io.StringIO())
    status = campaign_status(Campaign.objects.get(year=2022), D(2022, 12, 31))
    assert status.expected_units == 12 and status.reported_units == 8
    assert "网信办" in [row.unit.name for row in status.late_units]
    assert "工商联" in [row.unit.name for row in status.late_units]  # reported on 8 July
    assert status.stages["已命名"] == 4 and status.inactive == 1
    demo.load(city, io.StringIO())
    assert Brand.objects.count() == 9


def test_a_campaign_can_be_opened_on_the_plans_own_brand_task(city, office):
    from tests.dispatch.factories import make_task

    task = make_task(
        "5.1", lead="民政局", units=("司法局",), category=Category.BRAND, deadline=D(2022, 6, 20)
    )
    campaign = services.open_campaign(2022, actor=office, task=task)
    task.refresh_from_db()
    assert campaign.task == task and task.measure == "brands.campaign:2022"
    assert campaign.deadline == D(2022, 6, 20)
    assert sorted(campaign.units.values_list("name", flat=True)) == ["司法局", "民政局"]


def test_a_unit_not_on_the_linked_task_is_refused(city, office):
    from tests.dispatch.factories import make_task

    task = make_task("5.1", lead="民政局", category=Category.BRAND)
    with pytest.raises(services.BrandError, match="网信办不是任务"):
        services.open_campaign(2022, actor=office, task=task, units=[unit("民政局"), unit("网信办")])


def test_the_demo_campaign_links_the_dispatch_demos_brand_task(city, office):
    from liangxin.brands import demo
    from liangxin.brands.models import Campaign
    from liangxin.dispatch import demo as dispatch_demo

    dispatch_demo.load(city, io.StringIO())
    demo.load(city, io.StringIO())
    campaign = Campaign.objects.get(year=2022)
    assert campaign.task.title == "明确“两新”组织党建品牌"
    assert campaign.units.count() == 12
    status = campaign_status(campaign, D(2022, 12, 31))
    late = [row.unit.name for row in status.late_units]
    assert "网信办" in late and "工商联" in late and "民政局" not in late
    assert status.reported_units >= 9
