"""Chinese labels of this app's newer audit actions (core.audit_labels holds the bulletin's)."""

AUDIT_LABELS = {
    "documents.assessment.downloaded": "下载年度考核",
}
