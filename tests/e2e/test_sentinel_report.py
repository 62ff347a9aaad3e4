"""Must show (issue 15): a rider on a phone (390×844), without logging in, opens a station's
link, sends a report with a photo and gets a receipt; the township sees it and closes it; the
month's counts and the cockpit move; the rider's receipt says it is closed."""

import json

from playwright.sync_api import expect

from liangxin.workforce.models import SentinelReport
from tests.e2e.conftest import ARTIFACTS, login
from tests.factories import PASSWORD, make_user
from tests.workforce.factories import jpeg_with_gps, make_station


def _counts(page, live_server) -> dict:
    page.goto(f"{live_server.url}/cockpit/data/sentinel.json")
    data = json.loads(page.locator("body").inner_text())
    return {label: n for label, n in data["rows"]}


def test_a_rider_reports_from_a_phone_and_the_township_closes_it(browser, live_server, e2e_city):
    station = make_station("古南网点", platform="顺丰速运", link=True)
    make_user("xz360802001", role="township", region="360802001")
    ARTIFACTS.mkdir(exist_ok=True)

    phone = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    rider = phone.new_page()
    rider.set_default_timeout(10_000)
    errors = []
    rider.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    rider.goto(f"{live_server.url}/s/{station.link_token}/")
    expect(rider.get_by_role("heading", name="流动哨兵 · 随手报")).to_be_visible()
    for box in (
        rider.locator("form.sentinel-form").bounding_box(),
        rider.locator("#submit-report").bounding_box(),
    ):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # nothing wider than the phone
    rider.get_by_label("安全隐患").check()
    rider.get_by_label("所在乡镇（街道）").select_option(label="吉州区 古南街道")
    rider.get_by_label("具体地点").fill("人民路与井冈山大道路口")
    rider.get_by_label("看到的情况").fill("井盖缺失，夜里骑车很危险")
    rider.get_by_label("照片（可不传）").set_input_files(
        {"name": "井盖.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(1200, 900)}
    )
    rider.get_by_label("联系电话（可不填）").fill("13812345678")
    rider.screenshot(path=str(ARTIFACTS / "sentinel-phone-form.png"), full_page=True)
    rider.get_by_role("button", name="提交报告").click()
    expect(rider.get_by_role("heading", name="已收到您的报告")).to_be_visible()
    receipt = rider.locator("#receipt-number").inner_text()
    rider.screenshot(path=str(ARTIFACTS / "sentinel-phone-receipt.png"), full_page=True)
    report = SentinelReport.objects.get(receipt=receipt)
    assert report.photo and report.township_code == "360802001"
    assert errors == []

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    township = desk.new_page()
    township.set_default_timeout(10_000)
    login(township, live_server, "xz360802001", PASSWORD)
    before = _counts(township, live_server)
    assert before["报告"] == 1 and before["办结"] == 0
    township.goto(f"{live_server.url}/workforce/reports/")
    township.get_by_role("link", name=receipt).click()
    expect(township.locator("#report-status")).to_contain_text("待受理")
    expect(township.get_by_text("13812345678")).to_be_visible()  # its own report: in full
    township.get_by_role("button", name="受理").click()
    expect(township.locator("#report-status")).to_contain_text("办理中")
    township.get_by_label("办理结果").fill("已联系市政当天补装井盖")
    township.get_by_role("button", name="办结").click()
    expect(township.locator("#report-status")).to_contain_text("已办结")
    after = _counts(township, live_server)
    assert after["报告"] == 1 and after["办结"] == 1
    township.goto(f"{live_server.url}/workforce/reports/stats/")
    expect(township.locator("#sentinel-line")).to_contain_text("本月流动哨兵报告1件，办结1件")

    rider.goto(f"{live_server.url}/s/track/?receipt={receipt}")
    expect(rider.locator("#track-status")).to_contain_text("已办结")
    expect(rider.get_by_text("已联系市政当天补装井盖")).to_be_visible()
    phone.close()
    desk.close()
