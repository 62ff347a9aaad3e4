"""The monthly bulletin in headless Chromium: the office opens May 2022, edits 下步要求, generates
and downloads the Word file, publishes; a member unit then finds it on its list and downloads it.

Data: the demo's logins and its 2022 plan with reports (core and dispatch demo); the 20,000
demo organizations are left out to keep the test quick (coverage then reads “暂无统计数据”).
"""

import io

import docx
from playwright.sync_api import expect

from liangxin.core import demo as core_demo
from liangxin.core.demo import DEMO_PASSWORD
from liangxin.dispatch import demo as dispatch_demo
from liangxin.documents.models import Bulletin
from tests.e2e.conftest import login

REQUIREMENT = "各单位要在6月10日前完成滞后任务整改，并书面报告市委党建办。"


def test_the_office_edits_generates_and_publishes_may_and_a_unit_downloads_it(
    page, live_server, e2e_city, screenshot, tmp_path
):
    core_demo.load(e2e_city, io.StringIO())
    dispatch_demo.load(e2e_city, io.StringIO())

    login(page, live_server, "office", DEMO_PASSWORD)
    page.locator("nav.sidebar").get_by_role("link", name="通报").click()
    page.locator("#bulletin-table").get_by_role("link", name="2022-05").click()
    expect(page.locator("h1")).to_contain_text("2022年5月通报")
    expect(page.locator("#bulletin-status")).to_have_text("草稿")
    preview = page.locator("#bulletin-preview")
    expect(preview).to_contain_text("关于2022年5月全市基层党建")
    expect(preview).to_contain_text("数据截至2022年5月31日")
    expect(preview.locator("#task-table tbody tr")).to_have_count(14)

    expect(page.locator("#doc-letterhead")).to_contain_text("第1期")  # the year's first issue
    page.get_by_label("下步要求").fill(REQUIREMENT + "\n市委党建办将于下月通报整改结果。")
    page.get_by_label("抄送").fill("市委组织部、市委办公室")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存公文要素和“下步要求”草稿")
    expect(page.locator("#requirements-preview")).to_contain_text(REQUIREMENT)
    expect(page.locator("#doc-imprint")).to_contain_text("抄送：市委组织部，市委办公室。")
    expect(page.get_by_label("抄送")).to_have_value("市委组织部、市委办公室")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="生成 Word").click()
    download = download_info.value
    assert download.suggested_filename.endswith("通报.docx")
    saved = tmp_path / "may.docx"
    download.save_as(saved)
    paragraphs = [p.text for p in docx.Document(saved).paragraphs]
    assert REQUIREMENT in paragraphs and "六、下步要求" in paragraphs
    assert paragraphs[1] == "第1期" and "抄送：市委组织部，市委办公室。" in paragraphs
    expect(page.locator("#generate-status")).to_have_text("已生成Word 通报，浏览器已开始下载。")
    screenshot("office-generated")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已发布2022年5月通报")
    expect(page.locator("#bulletin-status")).to_have_text("已发布")
    expect(page.locator("#requirements-preview")).to_contain_text(REQUIREMENT)
    expect(page.get_by_role("button", name="生成 Word")).to_have_count(0)  # frozen: downloads only
    screenshot("office-published")
    stored = Bulletin.objects.get(period="2022-05")
    assert stored.is_published

    page.get_by_role("button", name="退出").click()
    login(page, live_server, "minzheng", DEMO_PASSWORD)
    page.locator("nav.sidebar").get_by_role("link", name="通报").click()
    row = page.locator("#bulletin-table tbody tr", has_text="2022-05")
    expect(row).to_contain_text("已发布")
    expect(page.locator("#bulletin-table")).not_to_contain_text("2022-04")  # no drafts for units
    with page.expect_download() as unit_download:
        row.get_by_role("link", name="Word").click()
    unit_file = tmp_path / "unit.docx"
    unit_download.value.save_as(unit_file)
    assert unit_file.read_bytes() == bytes(stored.docx)
    screenshot("member-unit-list")
