"""An export takes a moment at a city's size: the button says so while the server writes the
file, a second click is ignored, and the label comes back (app.js 5)."""

from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_user
from tests.registry.factories import make_org


def test_an_export_button_says_the_file_is_being_prepared(page, live_server, e2e_city):
    make_user("jizhou", role="county", region="360802")
    for n in range(3):
        make_org(f"吉州区导出公司{n}", region="360802001")
    errors, downloads = [], []
    page.on("download", lambda download: downloads.append(download))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login(page, live_server, "jizhou", PASSWORD)
    page.goto(f"{live_server.url}/registry/organizations/")
    export = page.get_by_role("link", name="导出 Excel")
    with page.expect_download() as download:
        export.click()
        busy = page.locator("a.btn[aria-busy=true]")
        expect(busy).to_have_text("正在准备文件…")
        busy.click()  # ignored while the file is prepared: one download only
    assert download.value.suggested_filename.endswith(".xlsx")
    expect(page.get_by_role("link", name="导出 Excel")).to_be_visible(timeout=8_000)
    expect(page.locator("a.btn[aria-busy=true]")).to_have_count(0)
    assert errors == [] and len(downloads) == 1
