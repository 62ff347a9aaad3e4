"""What an audit action code means, in Chinese, for the audit page and its export.

An action code is ``<app>.<object>.<verb>`` (pretix-style namespaced actions). Its label is the
one written here (or in an app's own ``audit_labels.AUDIT_LABELS``), else the verb's label joined
to the object's name — the record's model ``verbose_name`` — else the code itself, so a new
action is readable before anyone writes its label, and never hidden.
"""

from __future__ import annotations

import functools

from django.apps import apps

from liangxin.core.plugins import app_modules

VERBS = {
    "created": "新增",
    "updated": "修改",
    "deleted": "删除",
    "viewed": "查看",
    "exported": "导出",
    "downloaded": "下载",
    "imported": "导入",
    "uploaded": "上传",
    "published": "发布",
    "submitted": "提交",
    "returned": "退回",
    "accepted": "审核通过",
    "closed": "办结",
    "opened": "打开",
    "saved": "保存",
    "reset": "重置",
    "revoked": "撤销",
}

LABELS = {
    "accounts.login.succeeded": "登录成功",
    "accounts.login.failed": "登录失败",
    "accounts.otp.enrolled": "绑定动态口令",
    "accounts.otp.enrolment_failed": "绑定动态口令失败",
    "accounts.otp.failed": "动态口令验证失败",
    "accounts.otp.verified": "动态口令验证通过",
    "accounts.otp.recovery_codes_renewed": "重新生成备用码",
    "accounts.otp.reset": "重置动态口令",
    "accounts.session.superseded": "会话被新的登录取代",
    "accounts.user.created": "新增账号",
    "accounts.user.updated": "修改账号",
    "accounts.user.viewed": "查看账号",
    "accounts.users.viewed": "查看账号列表",
    "accounts.user.change_refused": "修改账号被拒绝",
    "accounts.user.password_changed": "修改密码",
    "accounts.user.password_reset": "重置密码",
    "accounts.user.permissions_changed": "变更账号权限",
    "accounts.user.unlocked": "解除账号锁定",
    "core.access.denied": "越权访问被拒绝",
    "core.area.created": "新增功能区",
    "core.area.updated": "修改功能区",
    "core.area.deleted": "删除功能区",
    "core.audit.viewed": "查看审计日志",
    "core.audit.exported": "导出审计日志",
    "core.audit.archived": "归档审计日志",
    "core.file.downloaded": "下载文件",
    "core.import.completed": "导入数据",
    "core.import.interrupted": "导入中断",
    "core.installation.setup": "初始化系统",
    "core.member_unit.created": "新增成员单位",
    "core.member_unit.updated": "修改成员单位",
    "core.member_unit.change_refused": "修改成员单位被拒绝",
    "coverage.inspection.created": "新增联合党支部排查",
    "coverage.instructor.created": "新增党建指导员",
    "coverage.instructor.updated": "修改党建指导员",
    "coverage.party_org.created": "新增党组织",
    "coverage.party_org.updated": "修改党组织",
    "dispatch.notice.read": "阅读通知",
    "dispatch.notice.read_all": "全部通知标为已读",
    "dispatch.period.opened": "打开调度期",
    "dispatch.period.updated": "修改调度期",
    "dispatch.period.unlocked": "为单位解锁调度期",
    "dispatch.period.relocked": "重新锁定调度期",
    "dispatch.plan.created": "新增年度重点任务清单",
    "dispatch.plan.updated": "修改年度重点任务清单",
    "dispatch.plan.drafted": "结转生成新年度任务清单草稿",
    "dispatch.plan.confirmed": "确认年度重点任务清单",
    "dispatch.task.carried_over": "结转上年度任务",
    "dispatch.reminders.chased": "催报",
    "dispatch.reminders.queued": "安排提醒",
    "dispatch.report.saved": "保存月报草稿",
    "dispatch.report.submitted": "提交月报",
    "dispatch.report.accepted": "审核通过月报",
    "dispatch.report.returned": "退回月报",
    "dispatch.report.attachment_added": "上传月报附件",
    "dispatch.task.created": "新增重点任务",
    "dispatch.task.updated": "修改重点任务",
    "documents.bulletin.generated": "生成通报",
    "documents.bulletin.published": "发布通报",
    "documents.bulletin.reopened": "撤回已发布的通报",
    "documents.bulletin.downloaded": "下载通报",
    "documents.bulletin.letterhead_saved": "保存通报版头",
    "documents.bulletin.requirements_saved": "保存通报“下步要求”",
    "documents.template.uploaded": "上传通报模板",
    "documents.template.reset": "恢复默认通报模板",
    "registry.organization.created": "新增两新组织",
    "registry.organization.updated": "修改两新组织",
    "registry.organization.exported": "导出两新组织",
    "registry.followup.closed": "办结三同步跟进事项",
}


@functools.cache
def all_labels() -> dict[str, str]:
    """The labels above and every app's own (``<app>.audit_labels.AUDIT_LABELS``)."""
    found = dict(LABELS)
    for module in app_modules("audit_labels"):
        found.update(getattr(module, "AUDIT_LABELS", {}))
    return found


def object_name(object_type: str) -> str:
    """The Chinese name of a record's object type ("registry.organization" → 两新组织)."""
    if object_type.count(".") != 1:
        return object_type
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def action_label(action: str, object_type: str = "") -> str:
    label = all_labels().get(action)
    if label:
        return label
    prefix, _, verb = action.rpartition(".")
    noun = object_name(object_type or prefix)
    if verb in VERBS and noun != (object_type or prefix):
        return f"{VERBS[verb]}{noun}"
    return action
