import datetime

from django.utils import timezone
from playwright.sync_api import expect

from liangxin.core.models import MemberUnit
from liangxin.dispatch import reports
from liangxin.dispatch.models import Period, Plan, Task, TaskUnit
from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_user


def _plan_with_last_months_report():
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    plan = Plan.objects.create(year=this_month.year)
    Plan.objects.get_or_create(year=last_month.year)
    unit = MemberUnit.objects.get(name="交通运输局")
    task = Task.objects.create(
        plan=plan,
        code="6",
        category="three",
        title="成立物流行业党委",
        lead=unit,
        start=datetime.date(this_month.year, 1, 1),
        deadline=datetime.date(this_month.year, 12, 31),
    )
    TaskUnit.objects.create(task=task, unit=unit, is_lead=True)
    current = Period.objects.create(plan=plan, month=this_month, due_day=28)
    previous = Period.objects.create(plan=Plan.objects.get(year=last_month.year), month=last_month)
    if last_month.year != this_month.year:  # January: last month's report belongs to last year's plan
        task = Task.objects.create(
            plan=previous.plan,
            code="6",
            category="three",
            title="成立物流行业党委",
            lead=unit,
            start=datetime.date(last_month.year, 1, 1),
        )
        TaskUnit.objects.create(task=task, unit=unit, is_lead=True)
    data = {
        "status": "on_track",
        "percent": 80,
        "progress": "组建方案已报市委党建办",
        "problems": "",
        "next_steps": "",
    }
    moment = timezone.make_aware(datetime.datetime.combine(last_month.replace(day=10), datetime.time(10)))
    reports.save_report(actor=None, task=task, unit=unit, period=previous, data=data, submit=True, at=moment)
    return current


def _logout(page):
    page.get_by_role("button", name="退出").click()


def test_a_unit_reports_the_office_returns_the_unit_resubmits_the_office_accepts_and_the_board_turns(
    page, live_server, e2e_city, screenshot
):
    period = _plan_with_last_months_report()
    make_user("jt", role="member_unit", member_unit="交通运输局", full_name="交通运输局填报员")
    make_user("office1", role="office", full_name="办公室小王")

    login(page, live_server, "jt", PASSWORD)
    page.get_by_role("link", name="本月填报").click()
    expect(page.locator("h1")).to_contain_text("本月待报")
    page.get_by_role("link", name="填报", exact=True).click()
    expect(page.get_by_label("本月进展")).to_have_value("组建方案已报市委党建办")
    page.get_by_label("进展状态").select_option(label="已完成")
    page.get_by_label("完成进度（%）").fill("100")
    page.get_by_label("本月进展").fill("物流行业党委已召开成立大会")
    screenshot("unit-fills-prefilled-report")
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.locator("table.data-table")).to_contain_text("已报送")
    _logout(page)

    login(page, live_server, "office1", PASSWORD)
    page.goto(f"{live_server.url}/dispatch/board/?period={period.key}")
    # A submitted 已完成 report lights the cell done (domain.md §6)…
    expect(page.locator("td.cell .light").first).to_have_class("light light-done")
    page.goto(f"{live_server.url}/dispatch/review/?period={period.key}")
    page.get_by_role("link", name="退回…").click()
    page.get_by_label("退回意见").fill("请补充成立大会的时间和党员人数")
    page.get_by_role("button", name="退回", exact=True).click()
    expect(page.get_by_text("已退回“交通运输局”")).to_be_visible()
    # …and a returned one no longer counts: the cell falls back to last month's 80 %.
    page.goto(f"{live_server.url}/dispatch/board/?period={period.key}")
    expect(page.locator("td.cell .light").first).not_to_have_class("light light-done")
    expect(page.locator("td.cell").first).to_contain_text("已退回")
    screenshot("board-after-return")
    _logout(page)

    login(page, live_server, "jt", PASSWORD)
    page.goto(f"{live_server.url}/dispatch/mine/")
    expect(page.locator("table.data-table")).to_contain_text("请补充成立大会的时间和党员人数")
    page.get_by_role("link", name="修改后重报").click()
    page.get_by_label("本月进展").fill("物流行业党委已于本月召开成立大会，党员 23 名")
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.locator("table.data-table")).to_contain_text("已报送")
    _logout(page)

    login(page, live_server, "office1", PASSWORD)
    page.goto(f"{live_server.url}/dispatch/review/?period={period.key}")
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page.get_by_text("没有待审核的报告")).to_be_visible()
    page.goto(f"{live_server.url}/dispatch/board/?period={period.key}")
    cell = page.locator("td.cell .light").first
    expect(cell).to_have_class("light light-done")
    expect(page.locator("td.cell").first).to_contain_text("已通过")
    screenshot("board-turns-done")
    page.locator("td.cell a").first.click()
    expect(page.locator(".event-list")).to_contain_text("退回")
    expect(page.locator(".event-list")).to_contain_text("审核通过")


def test_the_office_reminds_every_unit_that_has_not_reported_in_one_click(
    page, live_server, e2e_city, screenshot
):
    period = _plan_with_last_months_report()
    task = Task.objects.get(plan=period.plan)
    TaskUnit.objects.create(task=task, unit=MemberUnit.objects.get(name="邮政管理局"))
    make_user("office1", role="office")
    login(page, live_server, "office1", PASSWORD)
    page.goto(f"{live_server.url}/dispatch/chase/?period={period.key}")
    expect(page.locator("table.data-table").first).to_contain_text("邮政管理局")
    page.get_by_role("button", name="一键提醒全部 2 个单位").click()
    expect(page.get_by_text("已向 2 个未报送单位发送催报提醒")).to_be_visible()
    screenshot("chased")
    make_user("yz", role="member_unit", member_unit="邮政管理局")
    _logout(page)
    login(page, live_server, "yz", PASSWORD)
    page.goto(f"{live_server.url}/dispatch/mine/")
    expect(page.locator(".event-list")).to_contain_text("工委办公室催报")
    expect(page.locator(".unread-count")).to_have_text("未读 1 条")
    # The unit reads its reminder: the count goes to zero on 提醒.
    page.get_by_role("link", name="全部提醒").click()
    expect(page.locator("tr.notice-unread")).to_contain_text("工委办公室催报")
    page.get_by_role("button", name="标为已读", exact=True).click()
    expect(page.locator(".unread-count")).to_have_text("未读 0 条")
    expect(page.locator("tr.notice-read")).to_contain_text("工委办公室催报")
    screenshot("notice-read")
