import re

from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_user


def test_a_county_user_sees_only_its_county_and_gets_404_for_another(page, live_server, e2e_city, screenshot):
    make_user("qx360803", role="county", region="360803", full_name="青原区委组织部")
    login(page, live_server, "qx360803", PASSWORD)
    expect(page.get_by_text("青原区委组织部").first).to_be_visible()

    page.get_by_role("link", name="行政区划与功能区").click()
    table = page.locator("table.data-table")
    expect(table).to_contain_text("青原区")
    expect(table).not_to_contain_text("吉州区")
    expect(table.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="青原区").click()
    expect(page.locator("h1")).to_contain_text("青原区")
    expect(page.locator("table.data-table").first).to_contain_text("街道")
    screenshot("own-county")

    response = page.goto(f"{live_server.url}/regions/360802/")
    assert response.status == 404
    expect(page.get_by_text("不在您的管辖范围内")).to_be_visible()
    screenshot("other-county-404")


def test_a_wrong_password_shows_the_reason_and_the_right_one_gets_in(page, live_server, e2e_city):
    make_user("office1", role="office", full_name="办公室小王")
    login(page, live_server, "office1", "not-the-password")
    expect(page.get_by_text("用户名或密码错误")).to_be_visible()
    login(page, live_server, "office1", PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".user-name")).to_have_text("办公室小王")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_the_navigation_shows_the_whole_product_and_every_section_opens(
    page, live_server, e2e_city, screenshot
):
    make_user("office1", role="office")
    login(page, live_server, "office1", PASSWORD)
    nav = page.locator("nav.sidebar")
    for label in ["两新组织台账", "覆盖情况", "重点任务", "通报", "数据驾驶舱", "成员单位"]:
        expect(nav).to_contain_text(label)
    expect(nav).not_to_contain_text("未开放")
    nav.get_by_role("link", name=re.compile("工委会议")).click()
    expect(page).to_have_url(re.compile(r"/committee/meetings/"))
    screenshot("meetings")
