"""Chinese labels of this app's audit actions (core.audit_labels)."""

AUDIT_LABELS = {
    "workforce.station.created": "新增新就业群体站点",
    "workforce.station.updated": "修改新就业群体站点",
    "workforce.station.link_issued": "生成流动哨兵报告链接",
    "workforce.station.link_revoked": "停用流动哨兵报告链接",
    "workforce.posthouse.created": "新增驿站",
    "workforce.posthouse.updated": "修改驿站",
    "workforce.report.submitted": "收到流动哨兵报告",
    "workforce.report.accepted": "受理流动哨兵报告",
    "workforce.report.handed_over": "移交流动哨兵报告",
    "workforce.report.closed": "办结流动哨兵报告",
    "workforce.report.chased": "督办逾期流动哨兵报告",
    "workforce.report.personal_removed": "删除到期的报告人个人信息",
    "workforce.export": "导出新就业群体数据",
}
