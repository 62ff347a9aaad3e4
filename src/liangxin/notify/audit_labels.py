"""Chinese labels of this app's audit actions (core.audit_labels)."""

AUDIT_LABELS = {
    "notify.preference.updated": "修改消息接收设置",
    "notify.robot.created": "设置单位群机器人",
    "notify.robot.updated": "修改单位群机器人",
    "notify.robot.deleted": "删除单位群机器人",
}
