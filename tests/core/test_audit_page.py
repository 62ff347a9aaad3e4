"""The audit administrator reads the log in Chinese, filters it, exports it and follows one
object's history."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.audit_labels import action_label
from liangxin.core.models import AuditLog
from tests.factories import make_user


@pytest.fixture
def auditor(city):
    return make_user("auditor1", role="auditadmin")


def shanghai(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=timezone.get_default_timezone())


def log_at(when: str, action: str, **fields) -> AuditLog:
    with time_machine.travel(shanghai(when), tick=False):
        return audit.record(action, **fields)


def page_of(client, **params) -> str:
    return client.get(reverse("core:audit_log"), params).content.decode()


def test_actions_read_in_chinese_with_the_code_beside(client_for, auditor, office):
    log_at("2022-11-30 09:00", "accounts.login.succeeded", actor=office)
    log_at("2022-11-30 09:05", "registry.organization.updated", actor=office, object_type="registry.organization",
           object_id="7", object_repr="吉安市某物流有限公司")  # fmt: skip
    page = page_of(client_for(auditor), user="office")
    assert "登录成功" in page and "修改两新组织" in page and "吉安市某物流有限公司" in page
    assert "工委办公室" in page  # the role, not its code


def test_a_new_action_without_a_written_label_is_named_from_its_object():
    assert action_label("dispatch.task.deleted") == "删除重点任务"  # verb + the model's name
    assert action_label("somewhere.something.happened") == "somewhere.something.happened"  # never hidden


def test_every_filter_narrows_the_list(client_for, auditor, office):
    county = make_user("jz", role="county", region="360802")
    log_at("2022-11-29 23:30", "accounts.login.succeeded", actor=office)  # the 29th in Shanghai
    log_at("2022-11-30 00:30", "accounts.login.failed", actor=county, result="failure", message="密码错误")
    log_at("2022-12-01 08:00", "core.area.created", actor=office, object_type="core.area", object_id="3",
           object_repr="井冈山经开区")  # fmt: skip
    client = client_for(auditor)

    def shown(**params):
        page = page_of(client, **params)
        return [name for name in ("登录成功", "登录失败", "新增功能区") if f"<td>{name}<div" in page]

    assert shown() == ["登录成功", "登录失败", "新增功能区"]
    assert shown(user="jz") == ["登录失败"]
    assert shown(role="office") == ["登录成功", "新增功能区"]
    assert shown(action="accounts.login.failed") == ["登录失败"]
    assert shown(action="accounts.") == ["登录成功", "登录失败"]
    assert shown(object_type="core.area") == ["新增功能区"]
    assert shown(result="failure") == ["登录失败"]
    assert shown(date_from="2022-11-30", date_to="2022-11-30") == ["登录失败"]  # local days
    assert shown(date_from="2022-12-01", date_to="2022-12-31") == ["新增功能区"]
    assert shown(date_from="不是日期") == ["登录成功", "登录失败", "新增功能区"]  # ignored, not a 500


def test_an_objects_history_is_one_click_away(client_for, auditor, office):
    for i in range(2):
        log_at(f"2022-11-2{i} 10:00", "registry.organization.updated", actor=office,
               object_type="registry.organization", object_id="7", object_repr=f"第{i}次")  # fmt: skip
    log_at("2022-11-30 11:00", "registry.organization.updated", actor=office,
           object_type="registry.organization", object_id="8", object_repr="别的组织")  # fmt: skip
    client = client_for(auditor)
    assert "object_type=registry.organization&amp;object_id=7" in page_of(client)
    page = page_of(client, object_type="registry.organization", object_id="7")
    assert "第0次" in page and "第1次" in page and "别的组织" not in page


def test_the_export_has_the_filtered_records_in_chinese_and_is_itself_audited(client_for, auditor, office):
    log_at("2022-11-30 09:00", "accounts.login.succeeded", actor=office)
    log_at(
        "2022-11-30 09:05", "core.area.created", actor=office, object_type="core.area", object_repr="=1+1园区"
    )
    response = client_for(auditor).get(reverse("core:audit_export"), {"object_type": "core.area"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["审计日志"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[4], r[7]) for r in rows] == [("office", "工委办公室", "新增功能区", "'=1+1园区")]
    assert rows[0][0] == "2022-11-30 09:05:00"  # local time
    exported = AuditLog.objects.get(action="core.audit.exported")
    assert exported.actor == auditor and exported.after == {"object_type": "core.area"}


@pytest.mark.parametrize("role", ["office", "sysadmin", "secadmin", "county"])
def test_no_one_but_the_audit_administrator_reads_or_exports_it(client_for, city, role):
    user = make_user(f"u-{role}", role=role, region="360802" if role == "county" else None)
    client = client_for(user)
    assert client.get(reverse("core:audit_log")).status_code == 403
    assert client.get(reverse("core:audit_export")).status_code == 403
