"""The cockpit in headless Chromium: every chart drawn, the table toggle, a county bar drills down."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.dashboard.factories import small_city
from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_user


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


DRAWN = ("coverage", "months", "should_build", "lights", "reporting")

SERIES_LENGTH = """id => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-' + id));
  return chart ? chart.getOption().series[0].data.length : 0;
}"""

BAR_PIXEL = """([id, name]) => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-' + id));
  const option = chart.getOption();
  const index = option.xAxis[0].data.indexOf(name);
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [index, option.series[0].data[index] / 2]);
  const box = document.getElementById('chart-' + id).getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def test_the_office_sees_every_chart_and_drills_into_a_county(page, live_server, e2e_city, screenshot):
    small_city()
    make_user("office1", role="office")
    login(page, live_server, "office1", PASSWORD)
    page.goto(f"{live_server.url}/cockpit/?as_of=2022-05-31&period=2022-05")
    expect(page.locator("h1")).to_contain_text("驾驶舱")
    for name in DRAWN:
        page.locator(f"#chart-{name} canvas").first.wait_for()
        page.wait_for_function(f"({SERIES_LENGTH})('{name}') > 0")
        assert page.evaluate(SERIES_LENGTH, name) > 0, name
    lagging = page.locator('[data-chart="lagging"] table')
    expect(lagging).to_contain_text("逾期的重点任务")
    screenshot("city")

    card = page.locator('[data-chart="coverage"]')
    card.get_by_role("button", name="表格").click()
    expect(card.locator("table")).to_be_visible()
    expect(card.locator("table")).to_contain_text("青原区")
    card.get_by_role("button", name="表格").click()

    x, y = page.evaluate(BAR_PIXEL, ["coverage", "吉州区"])
    page.mouse.click(x, y)
    page.wait_for_url("**/cockpit/?*region=360802*")
    expect(page.locator(".cockpit-where")).to_contain_text("吉州区")
    page.wait_for_function(f"({SERIES_LENGTH})('coverage') > 0")
    expect(page.locator('[data-chart="coverage"] .cockpit-title')).to_contain_text("各乡镇（街道）")
    screenshot("county")


def test_a_county_user_without_periods_sees_empty_dispatch_charts(page, live_server, e2e_city, screenshot):
    small_city()
    make_user("qx360803", role="county", region="360803")
    login(page, live_server, "qx360803", PASSWORD)
    page.goto(f"{live_server.url}/cockpit/?as_of=2022-05-31")
    page.wait_for_function(f"({SERIES_LENGTH})('coverage') > 0")
    expect(page.locator('[data-chart="lights"] .cockpit-empty')).to_be_visible()
    expect(page.locator('[data-chart="coverage"] .cockpit-title')).to_contain_text("各乡镇（街道）")
    screenshot("county-user")
