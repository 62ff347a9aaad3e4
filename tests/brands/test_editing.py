"""Correcting a campaign (the office: title, deadline, units, revisit months — its dispatch task
follows) and closing one brand (its unit: 停止运行, counted as 推出即下架) or reopening it, on the pages,
scoped and audited."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from liangxin.brands import services
from liangxin.brands.models import Brand, Campaign, Stage
from liangxin.brands.status import campaign_status
from liangxin.core.models import AuditLog
from liangxin.dashboard import ledger_charts
from liangxin.dispatch.models import Notice
from liangxin.dispatch.periods import open_period
from liangxin.dispatch.status import period_status
from tests.brands.factories import add_brand, report
from tests.dispatch.factories import unit
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def edit(campaign, actor, **changes):
    values = {
        "title": campaign.title,
        "deadline": campaign.deadline,
        "units": list(campaign.units.all()),
        "revisit_months": campaign.revisit_months,
    } | changes
    with time_machine.travel("2022-05-01 09:00 +0800", tick=False):
        return services.update_campaign(campaign, actor=actor, **values)


def late(campaign, day):
    return [row.unit.name for row in campaign_status(campaign, day).late_units]


def test_a_later_deadline_moves_the_dispatch_task_and_who_is_late(campaign, office):
    add_brand(campaign, "民政局", "红色社工站", when="2022-07-08")
    report(campaign, "民政局", "2022-07-10")
    assert late(campaign, D(2022, 7, 12)) == ["民政局", "司法局"]

    edit(campaign, office, deadline=D(2022, 7, 15))

    campaign.task.refresh_from_db()
    assert (campaign.task.deadline, campaign.task.deadline_text) == (D(2022, 7, 15), "2022年07月15日")
    assert late(campaign, D(2022, 7, 12)) == []
    assert late(campaign, D(2022, 7, 16)) == ["司法局"]
    july, _ = open_period(D(2022, 7, 1), actor=None)
    cell = (campaign.task.pk, unit("司法局").pk)
    assert period_status(july, D(2022, 7, 12)).cells[cell].light != "red"
    assert period_status(july, D(2022, 7, 16)).cells[cell].light == "red"


def test_an_added_unit_must_report_and_a_unit_with_brands_cannot_be_removed(campaign, office):
    edit(campaign, office, units=[unit("民政局"), unit("司法局"), unit("网信办")])
    assert sorted(campaign.task.assignments.values_list("unit__name", flat=True)) == [
        "司法局",
        "民政局",
        "网信办",
    ]
    assert late(campaign, D(2022, 7, 1)) == ["民政局", "司法局", "网信办"]

    add_brand(campaign, "民政局", "红色社工站")
    with pytest.raises(services.BrandError, match="民政局已登记品牌，不能移出应申报单位"):
        edit(campaign, office, units=[unit("司法局")])
    assert campaign.units.count() == 3 and campaign.task.assignments.count() == 3  # nothing half-done

    edit(campaign, office, units=[unit("民政局"), unit("司法局")])
    assert sorted(campaign.task.assignments.values_list("unit__name", flat=True)) == ["司法局", "民政局"]


def test_new_revisit_months_reschedule_the_unanswered_revisits_and_keep_the_answered(campaign, office):
    answered = add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 7, 15))
    waiting = add_brand(campaign, "司法局", "法护民企", stage=Stage.NAMED, named_on=D(2022, 6, 1))
    with time_machine.travel("2023-01-20 10:00 +0800", tick=False):
        services.answer_revisit(
            answered.revisits.get(months=6), actor=None, still_active=True, note="运行良好"
        )

    edit(campaign, office, revisit_months=[3, 12, 24])

    assert list(answered.revisits.values_list("months", "due_on")) == [
        (6, D(2023, 1, 15)),
        (12, D(2023, 7, 15)),
        (24, D(2024, 7, 15)),
    ]
    assert list(waiting.revisits.values_list("months", "due_on")) == [
        (3, D(2022, 9, 1)),
        (12, D(2023, 6, 1)),
        (24, D(2024, 6, 1)),
    ]


def test_the_change_is_audited_with_what_it_was_and_what_it_became(campaign, office):
    edit(campaign, office, title="2022年党建品牌申报（延期）", deadline=D(2022, 7, 15))
    row = AuditLog.objects.get(action="brands.campaign.updated")
    assert row.actor_name == "office"
    assert row.before == {"title": "2022年“一域一品、一企一品”品牌及示范点申报", "deadline": "2022-06-30"}
    assert row.after == {"title": "2022年党建品牌申报（延期）", "deadline": "2022-07-15"}
    campaign.task.refresh_from_db()
    assert campaign.task.title == "2022年党建品牌申报（延期）"  # the task the campaign made follows


def test_a_deadline_outside_the_year_is_refused(campaign, office):
    with pytest.raises(services.BrandError, match="截止日期应在2022年内"):
        edit(campaign, office, deadline=D(2030, 6, 30))


def test_only_the_office_corrects_a_campaign(campaign, client_for):
    user = make_user("minzheng", role="member_unit", member_unit="民政局")
    with pytest.raises(PermissionDenied):
        edit(campaign, user, deadline=D(2022, 7, 31))
    url = reverse("brands:campaign_edit", args=[2022])
    client = client_for(user)
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"title": "改名", "deadline": "2022-07-31", "revisit_months": "6"}).status_code
        == 403
    )
    assert Campaign.objects.get().deadline == D(2022, 6, 30)


def test_the_office_corrects_a_campaign_on_its_page(campaign, office, client_for):
    client = client_for(office)
    url = reverse("brands:campaign_edit", args=[2022])
    page = client.get(url).content.decode()
    assert 'value="2022-06-30"' in page and "已登记品牌的单位不能移出" in page
    form = {"title": campaign.title, "deadline": "2022-07-15", "revisit_months": "6，12"}
    response = client.post(url, form | {"units": [unit("民政局").pk, unit("司法局").pk]})
    assert response.status_code == 302
    assert Campaign.objects.get().deadline == D(2022, 7, 15)

    refused = client.post(url, form).content.decode()  # no unit chosen
    assert "请选择应申报的单位" in refused
    assert client.get(reverse("brands:campaign_edit", args=[2031])).status_code == 404


def close(client, brand, **form):
    return client.post(reverse("brands:close", args=[brand.pk]), form)


def test_a_unit_closes_its_brand_from_the_page_and_it_is_counted_as_dropped(campaign, client_for):
    brand = add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 6, 1))
    client = client_for(make_user("minzheng", role="member_unit", member_unit="民政局"))
    with time_machine.travel("2022-09-10 10:00 +0800", tick=False):
        response = close(client, brand, inactive_on="2022-09-01", note="负责人调离，社工站停办")
        assert response.status_code == 302
        page = client.get(reverse("brands:detail", args=[brand.pk])).content.decode()
    brand.refresh_from_db()
    assert (brand.active, brand.inactive_on) == (False, D(2022, 9, 1))
    assert "2022-09-01 停止运行（推出即下架）：负责人调离，社工站停办" in page
    assert campaign_status(campaign, D(2022, 9, 1)).inactive == 1
    assert campaign_status(campaign, D(2022, 8, 31)).inactive == 0
    assert not brand.revisits.exists()
    with time_machine.travel("2022-12-01 08:00 +0800", tick=False):
        call_command("dispatch_tick", stdout=io.StringIO())
    assert not Notice.objects.filter(kind__startswith="revisit").exists()  # nothing left to chase
    row = AuditLog.objects.get(action="brands.brand.closed")
    assert row.actor_name == "minzheng" and row.after["note"] == "负责人调离，社工站停办"


def test_closing_needs_a_reason_a_date_not_ahead_and_happens_once(campaign, client_for):
    brand = add_brand(campaign, "民政局", "红色社工站")
    client = client_for(make_user("minzheng", role="member_unit", member_unit="民政局"))
    with time_machine.travel("2022-09-10 10:00 +0800", tick=False):
        assert "这个字段是必填项" in close(client, brand, inactive_on="2022-09-01").content.decode()
        ahead = close(client, brand, inactive_on="2022-09-11", note="停办").content.decode()
        assert "停止运行日期不能晚于今天" in ahead
        before = close(client, brand, inactive_on="2022-06-09", note="停办").content.decode()
        assert "停止运行日期不能早于登记日期 2022年06月10日" in before
        assert Brand.objects.get().active
        assert close(client, brand, inactive_on="2022-09-10", note="停办").status_code == 302
        assert close(client, brand, inactive_on="2022-09-10", note="再次").status_code == 404
        with pytest.raises(services.BrandError, match="已于 2022年09月10日 停止运行"):
            services.close_brand(brand, actor=None, on=D(2022, 9, 10), note="再次")


def test_another_units_user_cannot_close_a_brand(campaign, client_for):
    brand = add_brand(campaign, "民政局", "红色社工站")
    outsider = make_user("sifa", role="member_unit", member_unit="司法局")
    assert close(client_for(outsider), brand, inactive_on="2022-06-10", note="冒名").status_code == 404
    with pytest.raises(PermissionDenied):
        services.close_brand(brand, actor=outsider, on=D(2022, 6, 10), note="冒名")
    assert Brand.objects.get().active


def reopen(client, brand, **form):
    return client.post(reverse("brands:reopen", args=[brand.pk]), form, follow=True)


def test_a_unit_reopens_its_stopped_brand_and_it_is_no_longer_counted_as_dropped(campaign, client_for):
    brand = add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 6, 1))
    client = client_for(make_user("minzheng", role="member_unit", member_unit="民政局"))
    with time_machine.travel("2022-09-10 10:00 +0800", tick=False):
        close(client, brand, inactive_on="2022-09-01", note="负责人调离，社工站停办")
    stopped = json.loads(_brands_json())
    assert stopped["inactive"] == 1
    with time_machine.travel("2023-01-20 10:00 +0800", tick=False):
        client = client_for(make_user("minzheng2", role="member_unit", member_unit="民政局"))  # a new session
        page = client.get(reverse("brands:detail", args=[brand.pk])).content.decode()
        assert reverse("brands:reopen", args=[brand.pk]) in page and "登记恢复运行" in page
        text = reopen(client, brand, note="新负责人到岗，每周开放").content.decode()
        assert "已登记品牌“红色社工站”恢复运行" in text and "已停止运行</span>" not in text
        assert reverse("brands:reopen", args=[brand.pk]) not in text
        status = campaign_status(campaign, D(2023, 1, 20))
        assert (status.inactive, status.revisits_due, status.revisits_overdue) == (0, 0, 0)
        assert json.loads(_brands_json())["inactive"] == 0
        panel = ledger_charts.brands(make_user("office2", role="office"), as_of=D(2022, 12, 31))
        assert "推出即下架0个" in panel["note"]
    brand.refresh_from_db()
    assert (brand.active, brand.inactive_on, brand.inactive_note) == (True, None, "")
    # the 6-month revisit fell due (2022-12-01) while it was stopped: not chased; the 12-month one is ahead
    assert list(brand.revisits.values_list("months", "due_on")) == [(12, D(2023, 6, 1))]
    row = AuditLog.objects.get(action="brands.brand.reopened")
    assert row.actor_name == "minzheng2" and row.after == {"active": True, "note": "新负责人到岗，每周开放"}
    assert row.before["inactive_on"] == "2022-09-01" and row.before["note"] == "负责人调离，社工站停办"


def _brands_json() -> str:
    out = io.StringIO()
    call_command("brands", "--campaign", "2022", "--as-of", "2022-12-31", "--json", stdout=out)
    return out.getvalue()


def test_reopening_needs_what_happened_and_a_stopped_brand(campaign, client_for):
    brand = add_brand(campaign, "民政局", "红色社工站")
    client = client_for(make_user("minzheng", role="member_unit", member_unit="民政局"))
    with time_machine.travel("2022-09-10 10:00 +0800", tick=False):
        assert "品牌“红色社工站”仍在运行，无需恢复" in reopen(client, brand, note="开放").content.decode()
        close(client, brand, inactive_on="2022-09-01", note="停办")
        assert "请填写恢复运行的情况" in reopen(client, brand, note=" ").content.decode()
    assert not Brand.objects.get().active
    assert client.get(reverse("brands:reopen", args=[brand.pk])).status_code == 405


def test_another_unit_and_a_county_outside_cannot_reopen_a_brand(campaign, client_for):
    brand = add_brand(campaign, "民政局", "红色社工站")
    with time_machine.travel("2022-09-10 10:00 +0800", tick=False):
        services.close_brand(brand, actor=None, on=D(2022, 9, 1), note="停办")
    for outsider in (
        make_user("sifa", role="member_unit", member_unit="司法局"),
        make_user("taihe", role="county", region="360826"),
    ):
        response = client_for(outsider).post(reverse("brands:reopen", args=[brand.pk]), {"note": "冒名"})
        assert response.status_code == 404, outsider.username
        with pytest.raises(PermissionDenied):
            services.reopen_brand(brand, actor=outsider, note="冒名")
    assert not Brand.objects.get().active
    assert not AuditLog.objects.filter(action="brands.brand.reopened").exists()
