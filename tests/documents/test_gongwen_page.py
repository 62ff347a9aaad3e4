"""The 公文 parts on a period's page: 期号 or 发文字号, 主送, 署名, 成文日期, 抄送; numbering per
year on publication; and the office's own template, checked on upload."""

import datetime
import io
import zipfile

import docx
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from liangxin.core.models import AuditLog
from liangxin.documents import publishing
from liangxin.documents.docx import DEFAULT_TEMPLATE
from liangxin.documents.models import Bulletin, BulletinTemplate
from tests.dispatch.factories import make_period
from tests.documents import format_checks
from tests.documents.test_period_page import AS_OF, PAGE, page_text, paragraphs_of
from tests.factories import make_user

JUNE_6 = time_machine.travel(datetime.datetime(2022, 6, 6, 9, tzinfo=datetime.UTC), tick=False)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def office_client(may, client_for):
    return client_for(make_user("gw_office", role="office"))


def letterhead_of(content: bytes) -> list[str]:
    """The 版头 and the 版记 of a generated document, as text."""
    document = docx.Document(io.BytesIO(content))
    parts = ("Letterhead", "DocNumber", "Recipients", "Signature")
    texts = [p.text for p in document.paragraphs if p.style.style_id in parts and p.text]
    # the 版记 last, where it is read: framed at the foot of the page below the 署名
    return texts + [p.text for p in document.paragraphs if p.style.style_id in format_checks.IMPRINT_STYLES]


def generate(client, **fields):
    return client.post(f"{PAGE}generate/", {"kind": "docx", **AS_OF, **fields})


FIELDS = {
    "issuing_office": "中共吉安市委两新工委办公室",
    "issue_number": "",
    "doc_number": "",
    "recipients": "各县（市、区）委组织部",
    "signer": "中共吉安市委两新工委",
    "signed_on": "2022-06-08",
    "copy_to": "市委组织部，市委办公室",
}


@JUNE_6
def test_by_default_the_bulletin_is_the_years_next_issue_signed_on_the_day(office_client):
    shown = page_text(office_client.get(PAGE, AS_OF))
    assert "第1期" in shown and "本期默认第1期" in shown
    content = generate(office_client).content
    office = "中共吉安市委党建工作领导小组办公室"
    assert letterhead_of(content) == [
        office,
        "第1期",
        "各县（市、区）委组织部，市“两新”工委各成员单位：",
        office,
        "2022年6月6日",
        f"{office}\t2022年6月6日印发",
    ]


@JUNE_6
def test_the_office_edits_the_parts_and_the_preview_and_document_show_them(office_client):
    response = office_client.post(
        f"{PAGE}requirements/", {"requirements": "一是抓落实。", **AS_OF, **FIELDS}, follow=True
    )
    assert "已保存公文要素和“下步要求”草稿" in page_text(response)
    shown = page_text(office_client.get(PAGE, AS_OF))
    for text in (
        "中共吉安市委两新工委办公室",
        "各县（市、区）委组织部：",
        "2022年6月8日",
        "抄送：市委组织部，市委办公室。",
    ):
        assert text in shown, text
    assert letterhead_of(generate(office_client).content) == [
        "中共吉安市委两新工委办公室",
        "第1期",
        "各县（市、区）委组织部：",
        "中共吉安市委两新工委",
        "2022年6月8日",
        "抄送：市委组织部，市委办公室。",
        "中共吉安市委两新工委办公室\t2022年6月8日印发",
    ]
    saved = AuditLog.objects.get(action="documents.bulletin.letterhead_saved")
    assert saved.after["copy_to"] == "市委组织部，市委办公室"


@JUNE_6
def test_a_doc_number_replaces_the_issue_number(office_client):
    content = generate(office_client, **FIELDS | {"doc_number": "吉两新办发〔2022〕5号"}).content
    assert letterhead_of(content)[1] == "吉两新办发〔2022〕5号"


@JUNE_6
def test_publishing_numbers_the_years_issues_and_keeps_the_parts(office_client):
    make_period("2022-06")
    office_client.post(f"{PAGE}publish/", {**AS_OF, **FIELDS | {"signed_on": ""}})
    may = Bulletin.objects.get(period="2022-05")
    assert (may.issue_number, may.signed_on, may.copy_to) == (
        1,
        datetime.date(2022, 6, 6),
        "市委组织部，市委办公室",
    )
    assert letterhead_of(bytes(may.docx))[:2] == ["中共吉安市委两新工委办公室", "第1期"]
    # the page of the published period shows what was published, and cannot change it
    office_client.post(f"{PAGE}requirements/", {"requirements": "x", **AS_OF, **FIELDS | {"copy_to": "别处"}})
    assert Bulletin.objects.get(period="2022-05").copy_to == "市委组织部，市委办公室"
    # June is the year's second issue
    june = "/documents/bulletins/2022-06/"
    assert "本期默认第2期" in page_text(office_client.get(june))
    office_client.post(f"{june}publish/", {"as_of": "2022-06-06"})
    assert Bulletin.objects.get(period="2022-06").issue_number == 2
    assert letterhead_of(bytes(Bulletin.objects.get(period="2022-06").docx))[1] == "第2期"


@JUNE_6
def test_an_issue_number_already_published_this_year_is_refused(office_client):
    make_period("2022-06")
    office_client.post(f"{PAGE}publish/", AS_OF)
    june = "/documents/bulletins/2022-06/"
    response = office_client.post(
        f"{june}requirements/", {"requirements": "", "as_of": "2022-06-06", "issue_number": "1"}, follow=True
    )
    assert "期号“第1期”已用于2022年5月通报，请换一个期号" in page_text(response)
    assert Bulletin.objects.filter(period="2022-06", issue_number=1).count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issue_number", "五", "期号：期号应为整数，例如 5"),
        ("issue_number", "0", "期号：期号应在1至999之间"),
        ("signed_on", "6/6/2022", "成文日期：成文日期格式不对，应为 YYYY-MM-DD"),
        ("signed_on", "2022-04-30", "成文日期不能早于调度期开始（2022-05-01）"),
        ("copy_to", "长" * 301, "抄送："),
    ],
)
def test_a_bad_value_is_a_message_naming_the_field_and_nothing_is_saved(office_client, field, value, message):
    for action in ("requirements", "generate", "publish"):
        response = office_client.post(
            f"{PAGE}{action}/", {"kind": "docx", "requirements": "一是。", **AS_OF, field: value}, follow=True
        )
        assert response.status_code == 200, action
        assert message in page_text(response), action
    assert not Bulletin.objects.filter(status="published").exists()
    assert not AuditLog.objects.filter(action="documents.bulletin.letterhead_saved").exists()


# ---------------------------------------------------------------------------- the office's template


def upload(client, name: str, content: bytes):
    file = SimpleUploadedFile(name, content, content_type=DOCX)
    return client.post("/documents/bulletins/template/", {"template": file, "next": PAGE}, follow=True)


def template_with(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


COMPLETE = (
    "{{ meta.office }}",
    "{{ meta.number }}",
    "{{ title }}",
    "{%p for p in overall_paragraphs %}",
    "{{ p }}",
    "{%p endfor %}",
    "{%p for row in coverage_rows %}",
    "{{ row.name }} {{ row.org_rate }}",
    "{%p endfor %}",
    "{%p for t in tasks %}",
    "{{ t.title }}",
    "{%p endfor %}",
    "{%p for p in requirements %}",
    "{{ p }}",
    "{%p endfor %}",
    "{{ meta.signer }}",
)


def test_the_office_uploads_its_own_template_and_the_bulletin_uses_it(office_client):
    response = upload(
        office_client, "我们的模板.docx", template_with("吉安市委两新工委（自制红头）", *COMPLETE)
    )
    assert "已启用模板“我们的模板.docx”" in page_text(response)
    assert "办公室上传的“我们的模板.docx”" in page_text(response)
    paragraphs = paragraphs_of(generate(office_client).content)
    assert paragraphs[0] == "吉安市委两新工委（自制红头）"
    assert "中共吉安市委党建工作领导小组办公室" in paragraphs and "第1期" in paragraphs
    assert AuditLog.objects.filter(
        action="documents.template.uploaded", object_repr="我们的模板.docx"
    ).exists()
    # the current template can be downloaded to edit; and the shipped one restored
    assert office_client.get("/documents/bulletins/template.docx").content.startswith(b"PK")
    response = office_client.post("/documents/bulletins/template/reset/", {"next": PAGE}, follow=True)
    assert "已恢复使用系统内置的通报模板" in page_text(response)
    assert not BulletinTemplate.objects.exists()
    assert office_client.get("/documents/bulletins/template.docx").content == DEFAULT_TEMPLATE.read_bytes()


def _zip_without_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("模板.docx", b"", "模板未上传：上传的模板是空文件（0 字节）"),
        (
            "模板.docx",
            "这不是压缩包".encode(),
            "模板“模板.docx”不是 Word 文档（.docx 是 zip 压缩包，这个文件不是）",
        ),
        (
            "表格.docx",
            _zip_without_document(),
            "模板“表格.docx”不是 Word 文档：压缩包中没有 word/document.xml（它是 Excel 表格）",
        ),
        ("坏.docx", template_with("{{ title ", *COMPLETE), "模板“坏.docx”中的 Jinja 标记有语法错误"),
        (
            "坏.docx",
            template_with("{%p for p in overall_paragraphs %}", "{{ p }}"),
            "模板“坏.docx”中的 Jinja 标记有语法错误",
        ),
        (
            "缺.docx",
            template_with("{{ title }}", "{{ meta.office }}"),
            "模板“缺.docx”缺少必需的占位符：总体情况 {{ overall_paragraphs }}",
        ),
        (
            "错.docx",
            template_with(*COMPLETE, "{{ meta.office.nothing.deeper }}"),
            "通报模板“错.docx”无法生成文档",
        ),
    ],
    ids=[
        "empty",
        "not-a-zip",
        "not-a-docx",
        "jinja-syntax",
        "unclosed-loop",
        "missing-placeholders",
        "fails-to-render",
    ],
)
def test_a_broken_template_is_refused_with_a_message_naming_the_fault(office_client, name, content, message):
    response = upload(office_client, name, content)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not BulletinTemplate.objects.exists()
    assert "系统内置模板" in page_text(response)
    assert generate(office_client).status_code == 200  # bulletins still render with the shipped one


def test_an_upload_without_a_file_is_a_message(office_client):
    response = office_client.post("/documents/bulletins/template/", {"next": PAGE}, follow=True)
    assert "模板未上传：请选择要上传的 .docx 模板文件" in page_text(response)


@pytest.mark.parametrize(
    "user",
    [
        {"role": "member_unit", "member_unit": "交通运输局"},
        {"role": "county", "region": "360803"},
        {"role": "instructor"},
        {"role": "secadmin"},
    ],
)
def test_only_the_office_uploads_resets_or_downloads_the_template(may, client_for, user):
    client = client_for(make_user("gw_not_office", **user))
    file = SimpleUploadedFile("t.docx", template_with(*COMPLETE), content_type=DOCX)
    assert client.post("/documents/bulletins/template/", {"template": file}).status_code == 403
    assert client.post("/documents/bulletins/template/reset/").status_code == 403
    assert client.get("/documents/bulletins/template.docx").status_code == 403
    assert not BulletinTemplate.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="documents.template").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(may, client):
    file = SimpleUploadedFile("t.docx", template_with(*COMPLETE), content_type=DOCX)
    response = client.post("/documents/bulletins/template/", {"template": file})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not BulletinTemplate.objects.exists()


def test_upload_back_link_goes_only_to_a_period_page(office_client):
    response = office_client.post(
        "/documents/bulletins/template/reset/", {"next": "https://evil.example/documents/bulletins/2022-05/"}
    )
    assert response["Location"] == "/documents/bulletins/"


def test_publishing_a_period_refuses_if_its_number_was_taken_meanwhile(may):
    office = make_user("gw_pub", role="office")
    make_period("2022-06")
    june = datetime.date(2022, 6, 1)
    publishing.save_letterhead(period=june, as_of=datetime.date(2022, 6, 6), actor=office, issue_number=1)
    bulletin = publishing.publish(
        period=june, as_of=datetime.date(2022, 6, 6), issue_date=datetime.date(2022, 6, 6), actor=office
    )
    assert bulletin.issue_number == 1
    with pytest.raises(publishing.BulletinProblem, match="期号“第1期”已用于2022年6月通报"):
        publishing.save_letterhead(
            period=may.month, as_of=datetime.date(2022, 5, 31), actor=office, issue_number=1
        )
    may_bulletin = publishing.publish(
        period=may.month, as_of=datetime.date(2022, 5, 31), issue_date=datetime.date(2022, 6, 6), actor=office
    )
    assert may_bulletin.issue_number == 2


def test_the_command_writes_the_parts_the_office_saved(office_client, tmp_path):
    from django.core.management import call_command

    office_client.post(f"{PAGE}requirements/", {"requirements": "", **AS_OF, **FIELDS})
    out = tmp_path / "may.docx"
    call_command(
        "bulletin",
        "--period=2022-05",
        "--as-of=2022-05-31",
        "--issue-date=2022-06-09",
        f"--out={out}",
        stdout=io.StringIO(),
    )
    assert letterhead_of(out.read_bytes()) == [
        "中共吉安市委两新工委办公室",
        "第1期",
        "各县（市、区）委组织部：",
        "中共吉安市委两新工委",
        "2022年6月9日",
        "抄送：市委组织部，市委办公室。",
        "中共吉安市委两新工委办公室\t2022年6月9日印发",
    ]
