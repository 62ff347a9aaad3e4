import time_machine

from liangxin.core.models import AuditLog
from liangxin.dispatch.models import Report
from tests.dispatch.factories import make_period, make_task
from tests.factories import make_user

URL = "/api/v1/reports/"


def _report(api, **fields):
    body = {"period": "2022-05", "status": "on_track", "percent": 40, "progress": "已完成摸排", **fields}
    return api.post(URL, body, content_type="application/json")


@time_machine.travel("2022-05-20 10:00 +0800", tick=False)
def test_a_unit_submits_its_report_through_the_api(city, token_client):
    make_period("2022-05")
    task = make_task("1")
    other = make_task("2", lead="商务局")
    unit_user = make_user("jiaotong", role="member_unit", member_unit="交通运输局")
    api = token_client(unit_user)
    response = _report(api, task_id=task.pk)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    report = Report.objects.get(task=task)
    assert report.percent == 40 and report.unit.name == "交通运输局"
    assert AuditLog.objects.filter(object_id=str(report.pk), source="api").exists()
    assert _report(api, task_id=task.pk).status_code == 422  # already submitted: dispatch's own rule
    assert _report(api, task_id=other.pk).status_code == 404  # not its task
    bad = _report(api, task_id=task.pk, status="done", percent=50)
    assert bad.status_code == 422 and "100" in bad.json()["detail"]
