from playwright.sync_api import expect

from liangxin.registry.models import Organization
from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_user
from tests.registry.factories import credit_code, write_workbook
from tests.registry.test_import import messy_rows


def test_the_office_uploads_a_messy_workbook_previews_confirms_and_downloads_the_errors(
    page, live_server, e2e_city, screenshot, tmp_path
):
    make_user("office1", role="office")
    path = write_workbook(tmp_path / "吉州区台账.xlsx", messy_rows())
    login(page, live_server, "office1", PASSWORD)
    page.get_by_role("link", name="两新组织台账").click()
    expect(page.get_by_text("台账中还没有组织")).to_be_visible()
    page.get_by_role("link", name="批量导入").first.click()
    page.get_by_label("选择文件").set_input_files(path)
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_text("这是预览，尚未写入任何数据")).to_be_visible()
    expect(page.locator(".card-body p").first).to_contain_text("将新增 2 行")
    expect(page.locator("table.import-errors")).to_contain_text("校验位错误")
    screenshot("preview")
    assert Organization.objects.count() == 0

    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误明细").click()
    saved = tmp_path / "errors.xlsx"
    download.value.save_as(saved)
    from openpyxl import load_workbook

    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[0][-1] == "错误原因" and len(rows) == 7

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已写入数据库")).to_be_visible()
    screenshot("result")
    assert Organization.objects.count() == 2
    page.get_by_role("link", name="查看台账").click()
    expect(page.locator("table.data-table")).to_contain_text("吉安市庐陵科技有限公司")


def test_a_county_user_searches_only_its_own_county(page, live_server, e2e_city, screenshot):
    from tests.registry.factories import make_org

    make_org("吉州红星电子有限公司", region="360802001", code=credit_code(serial=901))
    make_org("泰和红星电子有限公司", region="360826100", code=credit_code(division="360826", serial=902))
    make_user("qx360826", role="county", region="360826")
    login(page, live_server, "qx360826", PASSWORD)
    page.get_by_role("link", name="两新组织台账").click()
    page.get_by_label("名称或信用代码").fill("红星")
    page.get_by_role("button", name="查询").click()
    table = page.locator("table.data-table")
    expect(table).to_contain_text("泰和红星电子有限公司")
    expect(table).not_to_contain_text("吉州红星电子有限公司")
    screenshot("county-search")
