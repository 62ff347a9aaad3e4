"""Chinese labels of this app's audit actions (core.audit_labels)."""

AUDIT_LABELS = {
    "brands.campaign.opened": "开启品牌申报",
    "brands.campaign.updated": "修改品牌申报",
    "brands.brand.closed": "品牌停止运行",
    "brands.brand.reopened": "品牌恢复运行",
    "brands.revisit.answered": "填报品牌回访",
    "brands.revisit.reminded": "品牌回访提醒",
}
