"""Each role's 工作台 in Chromium: the office, a county, a township and an instructor open it,
follow one item's link, finish the item on the page it leads to, and the item is gone."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from liangxin.coverage.models import Visit
from liangxin.dispatch.models import Report
from liangxin.registry.models import FollowUp
from tests.coverage.factories import make_instructor, make_org
from tests.e2e.conftest import login
from tests.e2e.test_dispatch_flow import _plan_with_last_months_report
from tests.factories import PASSWORD, make_user

LONG_AGO = datetime.date(2020, 1, 15)  # a follow-up due then is overdue whatever today is


def open_workbench(page, live_server, username: str):
    login(page, live_server, username, PASSWORD)
    page.goto(f"{live_server.url}/")
    expect(page.locator("h1")).to_contain_text("工作台")


def test_the_office_accepts_a_report_from_its_workbench(page, live_server, e2e_city, screenshot):
    _plan_with_last_months_report()
    make_user("bangongshi", role="office")
    open_workbench(page, live_server, "bangongshi")
    review = page.locator('[data-todo="dispatch.review"]')
    expect(review).to_contain_text("交通运输局：6 成立物流行业党委")
    screenshot("office-workbench")
    review.get_by_role("link", name="交通运输局：6 成立物流行业党委").click()
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_load_state()
    assert Report.objects.get().state == "accepted"
    page.goto(f"{live_server.url}/")
    expect(page.locator('[data-todo="dispatch.review"]')).to_have_count(0)


@pytest.mark.parametrize(
    ("role", "region", "org_region"),
    [("county", "360826", "360826100"), ("township", "360826100", "360826100")],
)
def test_a_county_or_township_closes_an_overdue_followup_from_its_workbench(
    page, live_server, e2e_city, role, region, org_region
):
    org = make_org("泰和县顺达物流有限公司", region=org_region)
    FollowUp.objects.create(organization=org, kind=FollowUp.Kind.NEW, due_on=LONG_AGO)
    make_user("taihe", role=role, region=region)
    open_workbench(page, live_server, "taihe")
    followups = page.locator('[data-todo="registry.followups"]')
    expect(followups).to_contain_text("逾期 1 件")
    expect(followups).to_contain_text("已逾期")
    followups.get_by_role("link", name="泰和县顺达物流有限公司").click()
    page.get_by_role("link", name="办结").click()
    page.get_by_label("办理结果").select_option(label="已采集党员信息")
    page.get_by_label("办理情况").fill("已采集党员 3 名的信息")
    page.get_by_role("button", name="办结").click()
    page.wait_for_load_state()
    assert FollowUp.objects.get().status == FollowUp.Status.DONE
    page.goto(f"{live_server.url}/")
    expect(page.locator('[data-todo="registry.followups"]')).to_have_count(0)


def test_an_instructor_records_the_visit_its_workbench_asks_for(page, live_server, e2e_city):
    user = make_user("zhidao", role="instructor", region="360802")
    org = make_org("吉州快递网点")
    make_instructor("王指导", org, user=user)
    open_workbench(page, live_server, "zhidao")
    due = page.locator('[data-todo="coverage.visits_due"]')
    expect(due).to_contain_text("吉州快递网点")
    due.get_by_role("link", name="吉州快递网点").click()
    expect(page.get_by_label("走访组织")).to_have_value(str(org.pk))  # chosen by the item
    page.get_by_label("指导内容").fill("指导建立党员活动日制度")
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.locator("#visit-table")).to_contain_text("吉州快递网点")
    assert Visit.objects.get().organization == org
    page.goto(f"{live_server.url}/")
    expect(page.locator('[data-todo="coverage.visits_due"]')).to_have_count(0)
    expect(page.locator('[data-todo="coverage.guided"]')).to_contain_text("吉州快递网点")
