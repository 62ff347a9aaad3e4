"""The coverage pages on demo data in headless Chromium: drill-down, blind spots, suggested
joint branches (accepted by the office) and the health list of joint branches."""

import io
import re

from django.core.management import call_command
from playwright.sync_api import expect

from liangxin.core.demo import DEMO_PASSWORD
from tests.e2e.conftest import login


def load_demo():
    call_command("demo", stdout=io.StringIO())


def test_the_office_drills_down_and_works_through_the_blind_spots(page, live_server, e2e_city, screenshot):
    load_demo()
    login(page, live_server, "office", DEMO_PASSWORD)
    page.locator("nav.sidebar").get_by_role("link", name="覆盖情况").click()
    page.get_by_label("截至日期").fill("2022-05-31")
    page.get_by_role("button", name="查询").click()
    table = page.locator("#coverage-table")
    expect(page.locator("h1")).to_contain_text("吉安市“两个覆盖”情况")
    expect(table).to_contain_text("吉州区")
    expect(table.locator("tfoot")).to_contain_text("%")
    screenshot("city")

    table.get_by_role("link", name="吉州区").click()
    expect(page.locator("h1")).to_contain_text("吉州区“两个覆盖”情况")
    expect(page.locator("#coverage-table")).to_contain_text("街道")
    expect(page.locator("#park-table")).to_contain_text("园区")
    screenshot("county")
    page.locator("#coverage-table tbody a").first.click()
    expect(page.locator("#organization-table")).to_be_visible()
    expect(page.locator("#organization-table")).to_contain_text(
        re.compile("单独组建|联合组建|工作覆盖|未覆盖")
    )
    screenshot("township-organizations")

    page.get_by_role("link", name="盲区清单").click()
    expect(page.get_by_text("应建未建组织")).to_be_visible()
    screenshot("blindspots")
    page.get_by_role("link", name=re.compile("应建未建组织")).click()
    expect(page.locator("#blindspot-table tbody tr").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    screenshot("should-build")

    page.get_by_role("link", name="联合组建建议").click()
    first = page.locator(".proposal").first
    expect(first).to_contain_text("正式党员")
    screenshot("suggestions")
    first.get_by_role("button", name="采纳并组建").click()
    expect(page.locator(".alert-success")).to_contain_text("已组建")
    expect(page.locator("h1")).to_contain_text("联合党支部")
    screenshot("accepted")

    page.locator("nav.sidebar").get_by_role("link", name="联合党支部排查").click()
    page.get_by_role("link", name="党组织健康清单").click()
    page.get_by_label("截至日期").fill("2022-05-31")
    page.get_by_label("显示").select_option("1")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#health-table")).to_contain_text(re.compile("本季度未排查|书记空缺|超期未换届"))
    screenshot("health")


def test_a_county_user_sees_only_its_county_and_the_phones_of_the_instructors_it_keeps(
    page, live_server, e2e_city, screenshot
):
    load_demo()
    login(page, live_server, "qx360803", DEMO_PASSWORD)
    page.locator("nav.sidebar").get_by_role("link", name="覆盖情况").click()
    expect(page.locator("h1")).to_contain_text("青原区“两个覆盖”情况")
    expect(page.locator("#coverage-table")).not_to_contain_text("吉州区")
    response = page.goto(f"{live_server.url}/coverage/overview/?region=360802")
    assert response.status == 404
    page.goto(f"{live_server.url}/coverage/instructors/")
    # Every instructor it sees works in its county: its to keep, so phones in full (README
    # “Jurisdiction and personal data”); a member unit seeing them through its sector gets masks.
    expect(page.locator("table.data-table")).not_to_contain_text("****")
    screenshot("county-instructors")


def test_an_instructor_sees_only_the_organizations_assigned_to_them(page, live_server, e2e_city, screenshot):
    from liangxin.accounts.models import User
    from liangxin.coverage.models import Instructor
    from liangxin.registry.models import Organization

    load_demo()
    user = User.objects.get(username="zhidaoyuan")
    mine = Instructor.objects.get(user=user)
    assigned = sorted(Organization.objects.visible_to(user).values_list("name", flat=True))
    other = Organization.objects.exclude(name__in=assigned).order_by("pk").first()
    assert assigned and other is not None
    login(page, live_server, "zhidaoyuan", DEMO_PASSWORD)

    page.goto(f"{live_server.url}/registry/organizations/")
    table = page.locator("table.data-table")
    expect(table.locator("tbody tr")).to_have_count(len(assigned))
    for name in assigned:
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text(other.name)
    screenshot("registry")

    page.locator("nav.sidebar").get_by_role("link", name="覆盖情况").click()
    expect(page.locator("#coverage-table tfoot td").nth(1)).to_have_text(str(len(assigned)))  # 在册组织
    page.goto(f"{live_server.url}/coverage/overview/organizations/")
    expect(page.locator("#organization-table tbody tr")).to_have_count(len(assigned))
    screenshot("coverage")

    page.goto(f"{live_server.url}/coverage/instructors/")
    rows = page.locator("table.data-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(mine.name)
    expect(rows).to_contain_text(mine.phone)  # their own number, unmasked
    response = page.goto(f"{live_server.url}/registry/organizations/{other.pk}/")
    assert response.status == 404
