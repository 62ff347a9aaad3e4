"""Must show (issue 20): an instructor records a visit from a phone (390×844) in Chromium, and it
counts: the visit is listed and the organization becomes effective work coverage."""

from playwright.sync_api import expect

from liangxin.coverage import effective
from liangxin.coverage.models import Visit
from liangxin.registry.models import Organization
from tests.coverage.factories import make_instructor, make_org
from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_user

PHONE = {"width": 390, "height": 844}


def test_an_instructor_records_a_visit_on_a_phone(browser, live_server, e2e_city):
    user = make_user("zhidao1", role="instructor", region="360802")
    org = make_org("吉州快递网点")
    make_instructor("王指导", org, user=user)
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server, "zhidao1", PASSWORD)
        page.goto(f"{live_server.url}/coverage/visits/new/")
        expect(page.locator("h1")).to_contain_text("记录走访")
        page.get_by_label("走访日期").fill("2022-05-20")  # assigned since 2020; not in the future
        page.get_by_label("走访组织").select_option(label="吉州快递网点")
        page.get_by_label("指导内容").fill("指导规范“三会一课”记录")
        page.get_by_label("发现问题").fill("党员活动室未挂牌")
        button = page.get_by_role("button", name="保存走访记录")
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 44  # a thumb-sized target
        form = page.locator("form.visit-form").bounding_box()
        assert form is not None and form["x"] + form["width"] <= PHONE["width"]
        page.screenshot(path="test-artifacts/visit-phone-form.png", full_page=True)
        button.click()
        expect(page.locator("#visit-table")).to_contain_text("吉州快递网点")
        expect(page.locator("#visit-table")).to_contain_text("指导规范“三会一课”记录")
    finally:
        context.close()
    saved = Visit.objects.get()
    assert (saved.organization, saved.visited_on.isoformat(), saved.problems, saved.created_by) == (
        org, "2022-05-20", "党员活动室未挂牌", user,
    )  # fmt: skip
    _, total = effective.effective_work(Organization.objects.all(), as_of=saved.visited_on)
    assert total.effective_work == 1
