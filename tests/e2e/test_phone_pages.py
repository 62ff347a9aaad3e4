"""On a phone (390×844): the notices, an organization's page and closing a 三同步 follow-up work
without sideways scrolling — the page is no wider than the screen and the navigation waits
behind 菜单."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_user

WIDTH = 390
LONG = "请于本月25日前报送“快递小哥暖心驿站建设”进展，逾期未报的将在全市通报中点名，联系电话0796-8221234"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_fits(page) -> None:
    """The page is as wide as the screen; when not, name what sticks out (for the fix)."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > 390 + 1)
             .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert width <= inner == WIDTH, wide
    scrolled = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')]
             .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.querySelector('th,td')?.textContent)"""
    )
    assert scrolled == [], f"tables scrolled sideways: {scrolled}"


def assert_menu(page) -> None:
    expect(page.locator("#sidebar")).to_be_hidden()
    page.get_by_role("button", name="菜单").click()
    expect(page.locator("#sidebar")).to_be_visible()
    assert_fits(page)
    page.get_by_role("button", name="菜单").click()
    expect(page.locator("#sidebar")).to_be_hidden()


def test_a_member_unit_reads_its_notices_on_a_phone(live_server, e2e_city, phone):
    from liangxin.dispatch.models import Notice
    from tests.dispatch.factories import make_period, unit

    period = make_period("2022-05")
    for n, kind in enumerate(("due_soon", "overdue", "returned")):
        Notice.objects.create(
            unit=unit("交通运输局"), period=period, kind=kind, key=f"k{n}", message=f"{LONG}（{n}）"
        )
    make_user("jt", role="member_unit", member_unit="交通运输局")
    login(phone, live_server, "jt", PASSWORD)
    phone.goto(f"{live_server.url}/dispatch/notices/")
    expect(phone.locator(".unread-count")).to_have_text("未读 3 条")
    assert_fits(phone)
    assert_menu(phone)
    phone.get_by_role("button", name="标为已读", exact=True).first.click()
    phone.wait_for_load_state()
    expect(phone.locator(".unread-count")).to_have_text("未读 2 条")
    assert_fits(phone)


@pytest.fixture
def county_org(e2e_city):
    """A county's organization with a follow-up and a change in its history."""
    from liangxin.registry import services
    from liangxin.registry.models import FollowUp
    from tests.registry.factories import make_org

    county = make_user("jz", role="county", region="360802")
    org = make_org("吉安市吉州区城北片区快递物流服务中心有限责任公司", region="360802001")
    services.save_organization(
        {
            "credit_code": org.credit_code,
            "name": org.name,
            "address": "江西省吉安市吉州区习溪桥街道城北大道与井冈山大道交叉口东北侧物流产业园3号楼",
            "employees": 120,
        },
        actor=county,
        today=datetime.date(2022, 5, 20),
    )
    FollowUp.objects.create(organization=org, kind=FollowUp.Kind.NEW, due_on=datetime.date(2022, 5, 20))
    return org


def test_a_county_opens_an_organization_and_closes_its_followup_on_a_phone(live_server, county_org, phone):
    login(phone, live_server, "jz", PASSWORD)
    phone.goto(f"{live_server.url}/registry/organizations/{county_org.pk}/")
    expect(phone.get_by_role("heading", name=county_org.name)).to_be_visible()
    expect(phone.locator("main")).to_contain_text("城北大道与井冈山大道")
    expect(phone.locator("main")).to_contain_text("新设立")
    assert_fits(phone)
    assert_menu(phone)

    phone.goto(f"{live_server.url}/registry/followups/")
    assert_fits(phone)
    phone.get_by_role("link", name="办结").click()
    expect(phone.get_by_label("办理情况")).to_be_visible()
    assert_fits(phone)
    phone.get_by_label("办理结果").select_option(label="已选派党建指导员")
    phone.get_by_label("办理情况").fill("已选派指导员王某，每月走访一次")
    phone.get_by_role("button", name="办结").click()
    phone.wait_for_load_state()
    expect(phone.locator("main")).to_contain_text("已办结")
    assert_fits(phone)

    phone.goto(f"{live_server.url}/registry/organizations/{county_org.pk}/")
    expect(phone.locator("main")).to_contain_text("已选派指导员王某")
    assert_fits(phone)
