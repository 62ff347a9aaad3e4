"""The member unit on a phone (390×844): the 工作台 says what is due, the item opens the report
form, the report goes in, and the item is gone — no page wider than the screen."""

from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.e2e.test_dispatch_flow import _plan_with_last_months_report
from tests.factories import PASSWORD, make_user


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_member_unit_reports_from_its_phone_without_sideways_scrolling(live_server, e2e_city, browser):
    _plan_with_last_months_report()
    make_user("jt", role="member_unit", member_unit="交通运输局")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server, "jt", PASSWORD)
        due = page.locator('[data-todo="dispatch.due"]')
        expect(due).to_contain_text("成立物流行业党委")
        expect(page.locator("#sidebar")).to_be_hidden()  # the navigation waits behind 菜单
        assert page_width(page) == 390
        page.get_by_role("button", name="菜单").click()
        expect(page.locator("#sidebar")).to_be_visible()
        expect(page.get_by_role("link", name="本月填报")).to_be_visible()
        page.get_by_role("button", name="菜单").click()

        due.get_by_role("link", name="6 成立物流行业党委").click()
        expect(page.get_by_label("本月进展")).to_be_visible()
        assert page_width(page) == 390
        page.get_by_label("完成进度（%）").fill("100")
        page.get_by_label("本月进展").fill("物流行业党委已召开成立大会")
        page.get_by_role("button", name="报送", exact=True).click()
        page.wait_for_load_state()
        assert page_width(page) == 390

        page.goto(f"{live_server.url}/dispatch/mine/")
        expect(page.locator("table.phone-cards")).to_contain_text("已报送")
        assert page_width(page) == 390

        page.goto(f"{live_server.url}/")
        expect(page.locator('[data-todo="dispatch.due"]')).to_have_count(0)
        assert page_width(page) == 390
    finally:
        context.close()
