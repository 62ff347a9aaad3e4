import csv
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from liangxin.core.models import AuditLog, ImportJob
from liangxin.registry.models import FollowUp, Organization
from tests.factories import make_user
from tests.registry.factories import credit_code, make_org, write_workbook
from tests.scoping import OutsiderGetsNothing, ScopeCase


@pytest.fixture
def jizhou(city):
    return make_user("jizhou", role="county", region="360802")


@pytest.fixture
def taihe(city):
    return make_user("taihe", role="county", region="360826")


class TestOrganizationsAreScopedByRegion(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, jizhou, taihe):
        org = make_org("泰和县澄江机械有限公司", region="360826100", phone="13907961234")
        FollowUp.objects.create(organization=org, kind="new", due_on="2030-01-01")
        return ScopeCase(
            obj=org,
            insider=taihe,
            outsider=jizhou,
            marker="泰和县澄江机械",
            detail_urls=[
                reverse("registry:organization_detail", args=[org.pk]),
                reverse("registry:organization_edit", args=[org.pk]),
            ],
            list_urls=[
                reverse("registry:organizations"),
                reverse("registry:organizations") + "?q=澄江",
                reverse("registry:followups"),
            ],
            export_urls=[reverse("registry:organization_export", args=["csv"])],
            change_urls=[reverse("registry:organization_edit", args=[org.pk])],
        )


class TestFollowUpsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, jizhou, taihe):
        org = make_org("泰和县跟进测试公司", region="360826100")
        followup = FollowUp.objects.create(organization=org, kind="new", due_on="2030-01-01")
        return ScopeCase(
            obj=followup,
            insider=taihe,
            outsider=jizhou,
            marker="泰和县跟进测试公司",
            detail_urls=[reverse("registry:followup_close", args=[followup.pk])],
            list_urls=[reverse("registry:followups")],
            change_urls=[reverse("registry:followup_close", args=[followup.pk])],
        )


class TestAMemberUnitSeesTheIndustriesItSupervises(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        org = make_org("吉安顺丰速运有限公司", industry_id="60", industry_section="G")
        return ScopeCase(
            obj=org,
            insider=make_user("yz", role="member_unit", member_unit="邮政管理局"),
            outsider=make_user("mz", role="member_unit", member_unit="民政局"),
            marker="吉安顺丰速运",
            detail_urls=[reverse("registry:organization_detail", args=[org.pk])],
            list_urls=[reverse("registry:organizations")],
            export_urls=[reverse("registry:organization_export", args=["csv"])],
        )


def test_the_list_searches_by_name_and_code_and_filters_by_party_members(client_for, office):
    a = make_org("井冈山红色旅游公司", party_members=5)
    make_org("吉州区小商店连锁", party_members=1)
    client = client_for(office)
    page = client.get(reverse("registry:organizations") + "?q=红色").content.decode()
    assert "井冈山红色旅游公司" in page and "小商店" not in page
    page = client.get(reverse("registry:organizations") + f"?q={a.credit_code[:12]}").content.decode()
    assert "井冈山红色旅游公司" in page
    page = client.get(reverse("registry:organizations") + "?party=3%2B").content.decode()
    assert "井冈山红色旅游公司" in page and "小商店" not in page


def test_the_list_filters_by_region_subtree(client_for, office):
    make_org("古南街道企业", region="360802001")
    make_org("泰和企业", region="360826100")
    page = client_for(office).get(reverse("registry:organizations") + "?region=360802").content.decode()
    assert "古南街道企业" in page and "泰和企业" not in page


def test_the_list_page_uses_a_fixed_number_of_queries(client_for, office, django_assert_max_num_queries):
    for i in range(30):
        make_org(f"批量公司{i}")
    client = client_for(office)
    client.get(reverse("registry:organizations"))
    with django_assert_max_num_queries(14):
        client.get(reverse("registry:organizations"))


def test_the_form_applies_the_import_rules_and_names_the_field(client_for, office):
    response = client_for(office).post(
        reverse("registry:organization_create"),
        {
            "credit_code": "91360802MA0000001X",
            "name": "表单公司",
            "region": "360802",
            "status": "存续",
            "party_members": "-1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "校验位错误" in page and "负数" in page
    assert not Organization.objects.filter(name="表单公司").exists()


def test_the_form_creates_an_organization_with_history_and_a_follow_up(client_for, office):
    code = credit_code(serial=501)
    response = client_for(office).post(
        reverse("registry:organization_create"),
        {
            "credit_code": code,
            "name": "表单新建公司",
            "region": "360802001",
            "status": "存续",
            "industry": "C39",
            "party_members": "3",
            "tags": "科技领航企业、快递",
            "founded_on": "2021-05-01",
        },
    )
    assert response.status_code == 302
    org = Organization.objects.get(credit_code=code)
    assert org.industry_id == "39" and org.party_members == 3
    assert FollowUp.objects.filter(organization=org, kind="new").exists()
    assert AuditLog.objects.get(action="registry.organization.created", object_id=str(org.pk)).actor == office

    client_for(office).post(
        reverse("registry:organization_edit", args=[org.pk]),
        {
            "name": "表单新建公司（更名）",
            "region": "360802001",
            "status": "在业",
            "industry": "C39",
            "party_members": "4",
            "tags": "科技领航企业",
        },
    )
    page = client_for(office).get(reverse("registry:organization_detail", args=[org.pk])).content.decode()
    assert "表单新建公司（更名）" in page and "修改" in page and "party_members" in page


def test_a_county_user_cannot_create_an_organization_in_another_county(client_for, jizhou):
    response = client_for(jizhou).post(
        reverse("registry:organization_create"),
        {"credit_code": credit_code(serial=502), "name": "越界公司", "region": "360826100", "status": "存续"},
    )
    assert response.status_code == 200
    assert not Organization.objects.filter(name="越界公司").exists()


def test_the_export_has_the_template_columns_and_re_imports_without_changes(client_for, office, tmp_path):
    make_org("导出公司", address="=cmd|' /C calc'!A0", phone="13907960000", party_members=2)
    response = client_for(office).get(reverse("registry:organization_export", args=["xlsx"]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("统一社会信用代码", "组织名称")
    assert rows[1][1] == "导出公司" and rows[1][15].startswith("'=")

    from liangxin.core.importing import ImportContext, run_import

    path = tmp_path / "re.xlsx"
    path.write_bytes(
        b"".join(
            client_for(office).get(reverse("registry:organization_export", args=["xlsx"])).streaming_content
        )
    )
    sheet = run_import(path, ImportContext(actor=office, filename="re.xlsx")).sheets[0]
    assert (sheet.created, sheet.updated, sheet.unchanged, sheet.rejected) == (0, 0, 1, 0)


def test_a_member_unit_sees_phone_numbers_masked(client_for, city):
    make_org("邮政测试公司", industry_id="60", industry_section="G", phone="13907961234")
    user = make_user("yz", role="member_unit", member_unit="邮政管理局")
    page = client_for(user).get(reverse("registry:organizations")).content.decode()
    assert "139****1234" in page and "13907961234" not in page
    text = b"".join(
        client_for(user).get(reverse("registry:organization_export", args=["csv"])).streaming_content
    )
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[1][-1] == "139****1234"


def test_a_form_created_organization_opens_one_follow_up_only_when_it_is_counted(
    client_for, office, settings
):
    import datetime

    settings.LIANGXIN_FOLLOWUP_DAYS = 45
    client = client_for(office)
    for serial, status in ((502, "存续"), (503, "注销")):
        form = {"credit_code": credit_code(serial=serial), "name": f"表单{status}公司", "region": "360802001",
                "status": status}  # fmt: skip
        with time_machine.travel("2024-06-01 00:30 +0800", tick=False):  # still May 31 in UTC
            response = client.post(reverse("registry:organization_create"), form)
        assert response.status_code == 302
    opened = FollowUp.objects.filter(kind="new")
    assert [f.organization.name for f in opened] == ["表单存续公司"]
    assert opened.get().due_on == datetime.date(2024, 6, 1) + datetime.timedelta(days=45)
    assert opened.get().status == FollowUp.Status.OPEN


def test_closing_a_follow_up_records_the_outcome(client_for, office):
    org = make_org("待跟进公司")
    followup = FollowUp.objects.create(organization=org, kind="new", due_on="2030-01-01")
    client_for(office).post(
        reverse("registry:followup_close", args=[followup.pk]),
        {"outcome": "instructor", "note": "已选派指导员张三"},
    )
    followup.refresh_from_db()
    assert followup.status == "done" and followup.closed_by == office
    assert AuditLog.objects.filter(action="registry.followup.closed").exists()


def test_the_upload_page_previews_then_imports_and_offers_the_error_workbook(client_for, office, tmp_path):
    good = credit_code(serial=503)
    path = write_workbook(
        tmp_path / "上传.xlsx",
        [["统一社会信用代码", "组织名称", "区县"], [good, "上传公司", "吉州区"], ["bad", "坏行", "吉州区"]],
    )
    client = client_for(office)
    with open(path, "rb") as fh:
        preview = client.post(reverse("data_import"), {"file": fh}, follow=True)
    page = preview.content.decode()
    assert "将新增 <strong>1</strong>" in page and "拒绝 <strong>1</strong>" in page
    assert not Organization.objects.filter(credit_code=good).exists()
    job = ImportJob.objects.get()
    assert job.status == "previewed" and job.user == office
    errors = client.get(reverse("data_import_errors", args=[job.pk]))
    assert errors.status_code == 200
    # The error workbook holds rows of the registry: its download is an audited read.
    downloaded = AuditLog.objects.get(action="core.file.downloaded")
    assert downloaded.actor == office and downloaded.source_detail == reverse(
        "data_import_errors", args=[job.pk]
    )
    # Another user can neither see nor confirm the job.
    other = make_user("other", role="office")
    from django.test import Client

    stranger = Client()
    stranger.force_login(other)
    assert stranger.get(reverse("data_import_job", args=[job.pk])).status_code == 404
    assert stranger.post(reverse("data_import_confirm", args=[job.pk])).status_code == 404
    assert stranger.get(reverse("data_import_errors", args=[job.pk])).status_code == 404
    result = client.post(reverse("data_import_confirm", args=[job.pk]), follow=True)
    assert "导入完成" in result.content.decode()
    assert Organization.objects.filter(credit_code=good).exists()


def test_the_job_page_shows_progress_while_running_and_polls(client_for, office):
    job = ImportJob.objects.create(user=office, filename="大文件.csv", stored="x.csv", status="running")
    from liangxin.core import jobs

    jobs.progress_path(job).write_text('{"rows": 42000}')
    page = (
        client_for(office)
        .get(reverse("data_import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "已处理 42,000 行" in page and 'hx-trigger="every 1s"' in page


def test_the_job_page_shows_the_percentage_and_the_time_left_of_a_csv(client_for, office):
    job = ImportJob.objects.create(user=office, filename="大文件.csv", stored="y.csv", status="running")
    from liangxin.core import jobs

    jobs.progress_path(job).write_text('{"rows": 50000, "total": 200000, "elapsed": 30}')
    page = (
        client_for(office)
        .get(reverse("data_import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "已处理 50,000 / 约 200,000 行（25%），预计还需 1 分 30 秒" in page
    assert 'max="100" value="25"' in page


def test_a_failed_import_says_why(client_for, office, tmp_path):
    path = tmp_path / "假表格.xlsx"
    path.write_text("just text")
    with open(path, "rb") as fh:
        page = client_for(office).post(reverse("data_import"), {"file": fh}, follow=True).content.decode()
    assert "实际是" in page
    assert ImportJob.objects.get().status == "failed"


def test_the_upload_page_refuses_an_unsupported_extension_before_saving_it(client_for, office, tmp_path):
    path = tmp_path / "名单.docx"
    path.write_text("x")
    with open(path, "rb") as fh:
        page = client_for(office).post(reverse("data_import"), {"file": fh}).content.decode()
    assert "不支持的文件类型" in page and not ImportJob.objects.exists()


def test_the_import_template_has_the_columns_and_instructions(client_for, office):
    response = client_for(office).get(reverse("registry:import_template"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in book["两新组织"][1]][:2] == ["统一社会信用代码", "组织名称"]
    assert book["填表说明"]["A1"].value == "列名"


def test_the_export_command_limits_to_a_region(tmp_path, city):
    from django.core.management import call_command

    make_org("吉州导出", region="360802001")
    make_org("泰和导出", region="360826100")
    out = tmp_path / "out.csv"
    call_command("export_data", "organizations", str(out), "--region", "360826")
    text = out.read_text(encoding="utf-8-sig")
    assert "泰和导出" in text and "吉州导出" not in text


def test_an_oversized_upload_is_refused_before_its_body_is_read(client_for, office, settings):
    settings.LIANGXIN_UPLOAD_MAX_MB = 1
    response = client_for(office).post(
        reverse("data_import"),
        data=b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(5 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "超过上限 1 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_left_unconfirmed_for_a_week_is_deleted_and_its_job_says_so(client_for, office, tmp_path):
    import datetime

    from django.utils import timezone

    from liangxin.core import jobs

    path = write_workbook(
        tmp_path / "台账.xlsx",
        [["统一社会信用代码", "组织名称", "区县"], [credit_code(), "甲公司", "吉州区"]],
    )
    client = client_for(office)
    with open(path, "rb") as fh:
        client.post(reverse("data_import"), {"file": fh})
    old = ImportJob.objects.get()
    assert old.status == ImportJob.Status.PREVIEWED and (jobs.upload_dir() / old.stored).exists()
    stored = old.stored
    ImportJob.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=8))

    with open(path, "rb") as fh:  # the next upload, by anyone, clears what is stale
        client.post(reverse("data_import"), {"file": fh})
    old.refresh_from_db()
    assert not (jobs.upload_dir() / stored).exists()
    assert old.status == ImportJob.Status.FAILED and "预览已过期" in old.error
    assert "预览已过期" in client.get(reverse("data_import_job", args=[old.pk])).content.decode()
    assert client.post(reverse("data_import_confirm", args=[old.pk])).status_code == 302
    assert Organization.objects.count() == 0  # confirming an expired preview imports nothing
    fresh = ImportJob.objects.exclude(pk=old.pk).get()
    assert fresh.status == ImportJob.Status.PREVIEWED and (jobs.upload_dir() / fresh.stored).exists()


def test_export_data_draws_a_bar_in_a_terminal_and_none_into_a_file(office, tmp_path):
    from django.core.management import call_command

    from tests.terminal import full_bar, in_a_terminal

    for n in range(3):
        make_org(f"泰和导出{n}", region="360826100")
    text = in_a_terminal("export_data", "organizations", str(tmp_path / "台账.csv"), "--region", "360826")
    assert full_bar(text).startswith(f"[{'#' * 30}] 已完成 3 行（100%）")
    assert "已导出 3 个组织" in text
    with open(tmp_path / "输出.txt", "w", encoding="utf-8") as out:
        call_command("export_data", "organizations", str(tmp_path / "台账.xlsx"), stdout=out)
    assert (tmp_path / "输出.txt").read_text(encoding="utf-8").startswith("已导出")
