"""Chinese labels of this app's audit actions (core.audit_labels)."""

AUDIT_LABELS = {
    "coverage.dispatched_secretary.created": "记录派驻书记",
    "coverage.dispatched_secretary.ended": "结束派驻书记的派驻",
}
