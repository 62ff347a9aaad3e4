"""A period's bulletin page: the office previews, edits 下步要求, generates, publishes, re-opens."""

import datetime
import html
import io
import re

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client

from liangxin.core.models import AuditLog
from liangxin.documents import publishing
from liangxin.documents.bulletin import format_percent
from liangxin.documents.models import Bulletin
from tests.coverage.factories import make_org, make_party_org
from tests.factories import make_user

PAGE = "/documents/bulletins/2022-05/"
AS_OF = {"as_of": "2022-05-31"}


@pytest.fixture
def office_client(may, client_for):
    return client_for(make_user("page_office", role="office"))


def page_text(response) -> str:
    """The page as a reader sees it: tags out, entities decoded, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


def paragraphs_of(content: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs if p.text.strip()]


def table_cells_of(content: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(content))
    return [cell.text for table in document.tables for row in table.rows for cell in row.cells]


def generate(client, kind="docx", **fields):
    return client.post(f"{PAGE}generate/", {"kind": kind, **AS_OF, **fields})


def test_the_page_previews_every_sentence_and_table_cell_of_the_document(office_client):
    page = office_client.get(PAGE, AS_OF)
    assert page.status_code == 200
    shown = page_text(page)
    response = generate(office_client)
    assert response.status_code == 200
    content = response.content
    for paragraph in paragraphs_of(content):
        assert re.sub(r"\s+", "", paragraph) in shown.replace(" ", ""), paragraph
    for cell in table_cells_of(content):
        assert cell in shown, cell
    assert "全市组织覆盖率为57.1%" in shown  # a figure, not only the structure


def test_the_as_of_date_changes_the_figures(office_client):
    early = page_text(office_client.get(PAGE, {"as_of": "2022-05-15"}))
    late = page_text(office_client.get(PAGE, AS_OF))
    assert "数据截至2022年5月15日" in early and "已报送1个" in early
    assert "数据截至2022年5月31日" in late and "已报送3个" in late


def test_a_bad_as_of_date_falls_back_to_the_last_day_with_a_message(office_client):
    shown = page_text(office_client.get(PAGE, {"as_of": "31/05/2022"}, follow=True))
    assert "截至日期“31/05/2022”格式不对" in shown
    assert "数据截至2022年5月31日" in shown  # a past month: its last day


def test_the_office_saves_requirements_and_the_document_uses_them(office_client):
    text = "一要压实责任，=SUM(A1)照样是文字。\n\n二要加强调度。"
    response = office_client.post(f"{PAGE}requirements/", {"requirements": text, **AS_OF}, follow=True)
    assert "已保存“下步要求”草稿" in page_text(response)
    assert (
        Bulletin.objects.get(period="2022-05").requirements
        == "一要压实责任，=SUM(A1)照样是文字。\n\n二要加强调度。"
    )
    entry = AuditLog.objects.get(action="documents.bulletin.requirements_saved")
    assert entry.object_id == "2022-05" and "二要加强调度" in entry.after["requirements"]
    shown = page_text(office_client.get(PAGE, AS_OF))
    assert "一要压实责任，=SUM(A1)照样是文字。" in shown and "已保存为本期草稿" in shown
    paragraphs = paragraphs_of(generate(office_client).content)
    start = paragraphs.index("六、下步要求")
    assert paragraphs[start + 1 : start + 3] == ["一要压实责任，=SUM(A1)照样是文字。", "二要加强调度。"]


def test_the_page_offers_next_steps_drafted_from_the_months_facts(office_client):
    page = office_client.get(PAGE, AS_OF).content.decode()
    offered = html.unescape(
        re.search(r'<textarea id="requirements"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    )
    lines = offered.splitlines()
    # the conftest month: 网信办 has no report on task 2 (due May 20, overdue)
    assert lines[0].startswith("一是加快推进逾期任务。第2项“=1+1 社会组织党建”已超过完成时限仍未完成，")
    assert "网信办" in lines[0] and "民政局要履行牵头责任" in lines[0]
    assert any(line.startswith("二是") for line in lines)
    # generating with the draft as offered uses it and does not freeze it as the office's text
    response = generate(office_client, requirements=offered, requirements_offered=offered)
    paragraphs = paragraphs_of(response.content)
    start = paragraphs.index("六、下步要求")
    assert paragraphs[start + 1 : start + 1 + len(lines)] == lines
    assert not Bulletin.objects.filter(period="2022-05").exclude(requirements="").exists()
    # an edit of the draft is the office's text from then on
    generate(office_client, requirements=offered + "\n五是补充一条。", requirements_offered=offered)
    assert Bulletin.objects.get(period="2022-05").requirements.endswith("五是补充一条。")


def test_generating_sends_the_text_in_the_form_and_keeps_it_as_the_draft(office_client):
    response = generate(office_client, requirements="只此一条要求。")
    assert "只此一条要求。" in paragraphs_of(response.content)
    assert Bulletin.objects.get(period="2022-05").requirements == "只此一条要求。"


def test_generating_downloads_word_and_excel_and_audits_each_download(office_client):
    word = generate(office_client, token="abc123")
    assert word["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert "attachment" in word["Content-Disposition"] and ".docx" in word["Content-Disposition"]
    assert word.cookies["bulletin_ready"].value == "abc123"  # the page's script says “已生成”
    excel = generate(office_client, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(excel.content))
    assert "重点任务推进情况" in book.sheetnames
    downloads = AuditLog.objects.filter(action="documents.bulletin.downloaded").order_by("pk")
    assert [d.after["kind"] for d in downloads] == ["docx", "xlsx"]
    assert {d.object_id for d in downloads} == {"2022-05"}
    assert AuditLog.objects.filter(action="documents.bulletin.generated").count() == 2
    assert not Bulletin.objects.filter(status="published").exists()  # generating publishes nothing


def test_an_unknown_file_kind_is_refused_with_a_message(office_client):
    response = generate(
        office_client,
        "pdf",
    )
    assert response.status_code == 302
    assert "只能生成 Word" in page_text(office_client.get(response.url))


def test_publishing_freezes_the_period_and_a_regenerated_may_is_the_same_document(office_client):
    office_client.post(f"{PAGE}requirements/", {"requirements": "发布前保存的要求。", **AS_OF})
    response = office_client.post(f"{PAGE}publish/", AS_OF, follow=True)
    assert "已发布2022年5月通报（数据截至2022-05-31）" in page_text(response)
    stored = Bulletin.objects.get(period="2022-05")
    assert stored.is_published and "发布前保存的要求。" in paragraphs_of(bytes(stored.docx))
    before = page_text(office_client.get(PAGE))
    assert "已发布" in before and "全市组织覆盖率为57.1%" in before

    # the data changes after publishing: a new branch covers two more organizations
    make_party_org("发布后新建党支部", make_org("后来企业甲", members=5), make_org("后来企业乙", members=4))
    live = publishing.build(
        period=datetime.date(2022, 5, 1), as_of=datetime.date(2022, 5, 31), issue_date=None
    )
    assert format_percent(live.coverage_total.org_rate) != "57.1%"  # May's live figures did change

    # the page still shows the published figures, and every way of getting May gives the same bytes
    assert page_text(office_client.get(PAGE, {"as_of": "2022-06-30"})) == before
    assert generate(office_client, requirements="另一段要求").content == bytes(stored.docx)
    assert generate(office_client, "xlsx").content == bytes(stored.xlsx)
    assert office_client.get("/documents/bulletins/2022-05.docx").content == bytes(stored.docx)
    assert Bulletin.objects.get(period="2022-05").requirements == "发布前保存的要求。"
    assert AuditLog.objects.filter(action="documents.bulletin.published", object_id="2022-05").count() == 1


def test_the_command_regenerates_a_published_may_to_the_same_files(office_client, tmp_path):
    office_client.post(f"{PAGE}publish/", AS_OF)
    make_party_org("发布后新建党支部", make_org("后来企业", members=5))
    out = io.StringIO()
    call_command(
        "bulletin",
        "--period=2022-05",
        f"--out={tmp_path / 'may.docx'}",
        f"--xlsx={tmp_path / 'may.xlsx'}",
        stdout=out,
    )
    stored = Bulletin.objects.get(period="2022-05")
    assert (tmp_path / "may.docx").read_bytes() == bytes(stored.docx)
    assert (tmp_path / "may.xlsx").read_bytes() == bytes(stored.xlsx)
    assert "输出的是发布时存档的文件" in out.getvalue()


def test_a_published_period_refuses_new_requirements_and_a_second_publication(office_client):
    office_client.post(f"{PAGE}publish/", AS_OF)
    response = office_client.post(f"{PAGE}requirements/", {"requirements": "改一改", **AS_OF}, follow=True)
    assert "2022年5月通报已发布，不能再修改“下步要求”" in page_text(response)
    again = office_client.post(f"{PAGE}publish/", AS_OF, follow=True)
    assert "发布失败：2022年5月通报已于" in page_text(again)
    assert Bulletin.objects.get(period="2022-05").requirements == ""


def test_the_office_reopens_a_published_period_with_a_reason_and_publishes_again(office_client):
    office_client.post(f"{PAGE}publish/", AS_OF)
    first = Bulletin.objects.get(period="2022-05").sha256
    refused = office_client.post(f"{PAGE}reopen/", {"reason": "  "}, follow=True)
    assert "重新开放已发布的通报须填写原因" in page_text(refused)
    assert Bulletin.objects.get(period="2022-05").is_published

    response = office_client.post(f"{PAGE}reopen/", {"reason": "青原区数据有误，更正后重发"}, follow=True)
    assert "已重新开放本期通报" in page_text(response)
    row = Bulletin.objects.get(period="2022-05")
    assert not row.is_published and row.docx is None and row.snapshot is None
    entry = AuditLog.objects.get(action="documents.bulletin.reopened")
    assert entry.before["sha256"] == first and entry.after["reason"] == "青原区数据有误，更正后重发"
    assert office_client.get("/documents/bulletins/2022-05.docx").status_code == 404

    make_party_org("更正后的党支部", make_org("更正企业", members=5))
    office_client.post(f"{PAGE}publish/", AS_OF)
    assert Bulletin.objects.get(period="2022-05").sha256 != first


def test_reopening_a_draft_says_there_is_nothing_to_reopen(office_client):
    response = office_client.post(f"{PAGE}reopen/", {"reason": "试试"}, follow=True)
    assert "2022年5月通报尚未发布，无需重新开放" in page_text(response)
    assert not AuditLog.objects.filter(action="documents.bulletin.reopened").exists()


def test_a_period_without_dispatch_is_404_and_a_bad_key_too(office_client):
    assert office_client.get("/documents/bulletins/2022-07/").status_code == 404
    assert office_client.get("/documents/bulletins/2022-13/").status_code == 404
    assert office_client.post("/documents/bulletins/2022-07/publish/", AS_OF).status_code == 404


def test_a_broken_template_is_a_clear_message_not_a_500(office_client, settings, tmp_path):
    settings.LIANGXIN_BULLETIN_TEMPLATE = str(tmp_path / "没有的模板.docx")
    response = generate(office_client)
    assert response.status_code == 302
    shown = page_text(office_client.get(response.url))
    assert "通报生成失败：通报模板文件" in shown and "没有的模板.docx”不存在" in shown
    published = office_client.post(f"{PAGE}publish/", AS_OF, follow=True)
    assert "发布失败：通报模板文件" in page_text(published)
    assert not Bulletin.objects.filter(status="published").exists()


@pytest.mark.parametrize(
    "user",
    [
        {"role": "member_unit", "member_unit": "交通运输局"},
        {"role": "county", "region": "360803"},
        {"role": "park"},
        {"role": "sysadmin"},
    ],
)
def test_only_the_office_opens_the_page_or_changes_anything(may, client_for, user):
    client = client_for(make_user("not_office", **user))
    assert client.get(PAGE).status_code == 403
    for action in ("requirements", "generate", "publish", "reopen"):
        response = client.post(f"{PAGE}{action}/", {"requirements": "x", "reason": "x", **AS_OF})
        assert response.status_code == 403, action
    assert not Bulletin.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="documents.bulletin").exists()


def test_every_post_needs_the_csrf_token(may):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("csrf_office", role="office"))
    for action in ("requirements", "generate", "publish", "reopen"):
        assert client.post(f"{PAGE}{action}/", {"requirements": "x", **AS_OF}).status_code == 403, action
    assert not Bulletin.objects.exists()


def test_a_get_does_not_publish(office_client):
    assert office_client.get(f"{PAGE}publish/").status_code == 405
    assert not Bulletin.objects.exists()


def test_the_list_links_every_dispatch_period_for_the_office(office_client):
    shown = office_client.get("/documents/bulletins/").content.decode()
    assert 'href="/documents/bulletins/2022-05/"' in shown and 'href="/documents/bulletins/2022-04/"' in shown
    assert "未起草" in shown


def test_the_page_is_printable(office_client):
    shown = office_client.get(PAGE, AS_OF).content.decode()
    assert "data-print" in shown and "documents/bulletin.css" in shown
    assert 'class="card no-print" id="generate-card"' in shown  # the controls stay off the paper
