"""Chinese labels of this app's audit actions (core.audit_labels)."""

AUDIT_LABELS = {
    "notify.preference.updated": "修改消息接收设置",
}
