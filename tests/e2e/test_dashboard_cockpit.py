"""The cockpit in headless Chromium: every chart drawn, the table toggle, a county bar drills
down; the 大屏 at 1920×1080 shows everything without scrolling, with May's counts."""

import datetime
import io
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from tests.dashboard.factories import small_city, wall_city
from tests.e2e.conftest import ARTIFACTS, login
from tests.factories import PASSWORD, make_user


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


DRAWN = ("coverage", "months", "should_build", "lights", "reporting")

SERIES_LENGTH = """id => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-' + id));
  return chart ? chart.getOption().series[0].data.length : 0;
}"""


def wait_for_series(page, name, timeout_ms=15_000):
    """Until the chart has drawn data. Polled from here: the page's Content-Security-Policy
    (script-src 'self') refuses the string evaluation `wait_for_function` relies on."""
    waited = 0
    while page.evaluate(SERIES_LENGTH, name) == 0:
        assert waited < timeout_ms, f"图表 {name} 没有画出数据"
        page.wait_for_timeout(100)
        waited += 100


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
        wait_for_series(page, name)
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
    wait_for_series(page, "coverage")
    expect(page.locator('[data-chart="coverage"] .cockpit-title')).to_contain_text("各乡镇（街道）")
    screenshot("county")


def test_a_county_user_without_periods_sees_empty_dispatch_charts(page, live_server, e2e_city, screenshot):
    small_city()
    make_user("qx360803", role="county", region="360803")
    login(page, live_server, "qx360803", PASSWORD)
    page.goto(f"{live_server.url}/cockpit/?as_of=2022-05-31")
    wait_for_series(page, "coverage")
    expect(page.locator('[data-chart="lights"] .cockpit-empty')).to_be_visible()
    expect(page.locator('[data-chart="coverage"] .cockpit-title')).to_contain_text("各乡镇（街道）")
    screenshot("county-user")


AXIS_LABELS = """([id, dim]) => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-' + id));
  const axis = chart.getModel().getComponent(dim, 0).axis;
  return axis.getViewLabels().map(label => label.formattedLabel);
}"""

RING = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-lights'));
  return Object.fromEntries(chart.getOption().series[0].data.map(d => [d.name, d.value]));
}"""

SHOWN_LABELS = """id => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-' + id));
  return chart.getOption().series.every(s => s.label && s.label.show !== false);
}"""


@pytest.fixture
def wall(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_wall_screen_shows_tiles_and_six_charts_in_1920_by_1080_with_mays_counts(
    wall, live_server, e2e_city
):
    from liangxin.dispatch.status import LIGHT_LABELS
    from liangxin.documents.services import make_bulletin

    data = wall_city()
    make_user("office1", role="office")
    login(wall, live_server, "office1", PASSWORD)
    wall.wait_for_load_state("networkidle")
    errors = []  # the cockpit's own, from here on
    wall.on(
        "console", lambda m: errors.append(f"{m.text} {m.location['url']}") if m.type == "error" else None
    )
    wall.on("pageerror", lambda exc: errors.append(str(exc)))
    wall.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    wall.goto(f"{live_server.url}/cockpit/screen/?period=2022-05")
    for name in DRAWN:
        wait_for_series(wall, name)
    expect(wall.locator('[data-chart="lagging"] table')).to_contain_text("逾期的重点任务")
    expect(wall.locator('.cockpit-tile[data-tile="red"]')).to_be_visible()
    wall.wait_for_timeout(1500)  # the charts' opening animation, for the screenshot
    wall.screenshot(path=str(ARTIFACTS / "cockpit-screen-1920x1080.png"))

    assert wall.locator(".sidebar").count() == 0
    assert wall.evaluate("document.documentElement.scrollHeight") <= 1080
    assert wall.evaluate("document.documentElement.scrollWidth") <= 1920
    boxes = [wall.locator(f'[data-chart="{name}"]') for name in (*DRAWN, "lagging")]
    boxes += [wall.locator(f'.cockpit-tile[data-tile="{key}"]') for key in TILES]
    for box in boxes:
        b = box.bounding_box()
        assert b and b["x"] >= 0 and b["y"] >= 0, box
        assert b["x"] + b["width"] <= 1920 and b["y"] + b["height"] <= 1080, box
    for card in wall.locator(".cockpit-card").all():
        expect(card.locator(".cockpit-title")).to_contain_text("2022年5月31日")

    # Every name on the axes, every bar labelled.
    assert wall.evaluate(AXIS_LABELS, ["coverage", "xAxis"]) == data["counties"]
    assert wall.evaluate(AXIS_LABELS, ["should_build", "xAxis"]) == data["counties"]
    assert sorted(wall.evaluate(AXIS_LABELS, ["reporting", "yAxis"])) == sorted(data["units"])
    for name in ("coverage", "should_build", "reporting"):
        assert wall.evaluate(SHOWN_LABELS, name), name

    # May's counts as the bulletin's source gives them, as of May 31.
    out = io.StringIO()
    call_command("dispatch_status", "--period", "2022-05", "--json", stdout=out)
    totals = json.loads(out.getvalue())["totals"]
    ring = wall.evaluate(RING)
    assert ring == {LIGHT_LABELS[k]: totals[k] for k in ("done", "green", "yellow", "red")}
    assert sum(ring.values()) == totals["expected"]
    overall = make_bulletin(period=D(2022, 5, 1), as_of=D(2022, 5, 31), issue_date=D(2022, 6, 6)).overall
    assert ring == {LIGHT_LABELS[k]: getattr(overall, k) for k in ("done", "green", "yellow", "red")}
    expect(wall.locator('.cockpit-tile[data-tile="red"] .tile-value')).to_have_text(f"{totals['red']}个")
    assert errors == []


D = datetime.date
TILES = ("org_rate", "work_rate", "should_build", "report_rate", "on_time_rate", "red")


LEDGER_SERIES = """id => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-' + id));
  if (!chart) { return null; }
  const series = chart.getOption().series;
  return series.map(s => s.type + ':' + s.data.length);
}"""


def test_the_ledger_panels_draw_pairings_integration_and_brands(page, live_server, e2e_city, screenshot):
    from tests.dashboard.factories import ledger_city

    small_city()
    ledger_city()
    make_user("office1", role="office")
    login(page, live_server, "office1", PASSWORD)
    page.wait_for_load_state("networkidle")
    errors = []  # the cockpit's own, from here on
    page.on(
        "console", lambda m: errors.append(f"{m.text} {m.location['url']}") if m.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server.url}/cockpit/?as_of=2022-07-01&period=2022-05")
    for name in ("pairings", "integration", "brands"):
        page.locator(f"#chart-{name} canvas").first.wait_for()
        wait_for_series(page, name)
    assert page.evaluate(LEDGER_SERIES, "pairings") == ["bar:2", "bar:2"]  # 结对, 项目 × 吉州区, 遂川县
    assert page.evaluate(LEDGER_SERIES, "integration") == ["radar:2"]  # 2022 and 2021
    assert page.evaluate(LEDGER_SERIES, "brands") == ["pie:4"]  # the four stages
    brands = page.locator('[data-chart="brands"]')
    expect(brands.locator(".cockpit-title")).to_contain_text("2022年品牌创建（截至2022年7月1日）")
    expect(brands.locator(".cockpit-note")).to_contain_text("逾期未申报1个（司法局）")
    expect(brands.get_by_role("link", name="查看台账")).to_have_attribute(
        "href", "/brands/?campaign=2022&as_of=2022-07-01"
    )
    card = page.locator('[data-chart="pairings"]')
    card.get_by_role("button", name="表格").click()
    expect(card.locator("table")).to_contain_text("遂川县")
    expect(card.locator("table")).to_contain_text("30.00万元")
    page.locator('[data-chart="brands"]').scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # the charts' opening animation, for the screenshot
    screenshot("ledgers")
    assert errors == []
