"""融入融合 and 品牌示范 in headless Chromium: a county user records a pairing with a village, a
五融入五提升 assessment and a brand entry through the pages (and reports the brand stopped), and
the office corrects the campaign — with no console error on any page."""

import datetime

import pytest
from playwright.sync_api import expect

from liangxin.brands import services as brand_services
from liangxin.brands.models import Brand
from liangxin.core.models import MemberUnit
from liangxin.integration.models import Assessment
from liangxin.pairings.models import Pairing
from tests.coverage.factories import make_org, make_party_org
from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_user

D = datetime.date


@pytest.fixture
def console_errors(page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    return errors


def open_campaign():
    units = [MemberUnit.objects.get(name="吉州区委组织部"), MemberUnit.objects.get(name="民政局")]
    return brand_services.open_campaign(2022, actor=None, units=units, today=D(2022, 3, 1))


def test_a_county_user_records_a_pairing_an_assessment_and_a_brand(
    page, live_server, e2e_city, screenshot, console_errors
):
    org = make_org("吉州建工集团", region="360802001", members=5)
    make_party_org("吉州建工集团党支部", org, founded_on=D(2021, 1, 1))
    make_org("泰和茶业公司", region="360826100")
    open_campaign()
    make_user("jizhou", role="county", region="360802")
    login(page, live_server, "jizhou", PASSWORD)
    sidebar = page.locator("nav.sidebar")

    # 结对共建: the village named as an office writes it.
    sidebar.get_by_role("link", name="结对共建").click()
    expect(page.get_by_text("还没有结对共建记录")).to_be_visible()
    page.get_by_role("link", name="登记结对").click()
    page.get_by_label("结对组织的统一社会信用代码").fill(org.credit_code)
    page.get_by_label("结对村（社区）").fill("古南街道 桃树下社区")
    page.get_by_label("结对开始日期").fill("2022-03-01")
    page.get_by_label("结对内容").fill("党建共建、助老服务")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("吉州建工集团 ↔ 桃树下居委会")
    screenshot("pairing")
    page.get_by_role("link", name="修改", exact=True).click()
    expect(page.get_by_label("结对开始日期")).to_have_value("2022-03-01")  # a date input shows it
    page.go_back()
    assert Pairing.objects.get().village.code == "360802001001"

    # 五融入五提升: five scores by radio buttons.
    sidebar.get_by_role("link", name="五融入五提升").click()
    page.get_by_role("link", name="录入评估").click()
    page.get_by_label("组织的统一社会信用代码").fill(org.credit_code)
    page.get_by_label("评估年度").fill("2022")
    for key, score in zip(
        ("governance", "business", "operations", "workers", "ideology"), "54344", strict=True
    ):
        page.locator(f'input[name="{key}"][value="{score}"]').check()
    page.get_by_label("评估人").fill("吉州区两新工委")
    page.get_by_label("评估日期").fill("2022-11-30")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("吉州建工集团：2022年“五融入五提升”评估")
    screenshot("assessment")
    assert Assessment.objects.get().scores == [5, 4, 3, 4, 4]

    # 品牌: registered for the county's 组织部, named, with its revisits scheduled.
    sidebar.get_by_role("link", name="品牌与示范点").click()
    expect(page.locator("h1")).to_contain_text("2022年")
    expect(page.get_by_text("民政局")).to_have_count(0)  # another unit's row is not the county's
    page.get_by_role("link", name="登记品牌").first.click()
    page.get_by_label("品牌名称").fill("古南“红色驿站”")
    page.get_by_label("类别").select_option(label="一域一品")
    expect(page.get_by_label("申报单位")).to_have_value(str(MemberUnit.objects.get(name="吉州区委组织部").pk))
    page.get_by_label("所在区域").fill("古南街道")
    page.get_by_label("创建阶段").select_option(label="已命名")
    page.get_by_label("命名日期").fill("2022-06-01")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("古南“红色驿站”")
    expect(page.locator("table.data-table")).to_contain_text("2022-12-01")
    expect(page.locator("table.data-table")).to_contain_text("2023-06-01")
    screenshot("brand")

    page.get_by_role("link", name="登记停止运行").click()
    # 停止运行日期 defaults to today (the brand was registered today, so no earlier date is allowed)
    page.get_by_label("停止运行的原因和情况").fill("驿站所在楼宇拆迁，活动停止")
    page.get_by_role("button", name="确认停止运行").click()
    expect(page.locator(".detail-list")).to_contain_text("停止运行（推出即下架）：驿站所在楼宇拆迁")
    screenshot("brand-closed")
    brand = Brand.objects.get()
    assert not brand.active and not brand.revisits.exists()
    assert console_errors == []


def test_the_office_corrects_the_campaigns_deadline_on_its_page(
    page, live_server, e2e_city, screenshot, console_errors
):
    campaign = open_campaign()
    make_user("office1", role="office")
    login(page, live_server, "office1", PASSWORD)
    page.locator("nav.sidebar").get_by_role("link", name="品牌与示范点").click()
    page.get_by_role("link", name="修改本次申报").click()
    expect(page.get_by_label("申报截止日期")).to_have_value("2022-06-30")
    page.get_by_label("申报截止日期").fill("2022-07-15")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("调度任务的完成时限和报送单位已同步")
    expect(page.get_by_text("申报截止 2022-07-15")).to_be_visible()
    screenshot("campaign")
    campaign.task.refresh_from_db()
    assert campaign.task.deadline == D(2022, 7, 15)
    assert console_errors == []
