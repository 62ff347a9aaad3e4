import datetime
import http.server
import json
import threading

import pytest
import time_machine
from django.urls import reverse

from liangxin.api import webhooks
from liangxin.api.models import WebhookDelivery, WebhookEndpoint
from liangxin.core import events
from liangxin.dispatch import reports
from liangxin.documents import publishing
from tests.dispatch.factories import at, make_period, make_task, submit
from tests.registry.factories import credit_code


class Receiver:
    """A loopback receiver that checks the HMAC-SM3 signature and fails the first `fail` posts."""

    def __init__(self, secret: str, fail: int = 0):
        self.secret, self.fail, self.received, self.verified = secret, fail, [], []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = webhooks.verify(
                    receiver.secret,
                    self.headers["X-Liangxin-Timestamp"],
                    body,
                    self.headers["X-Liangxin-Signature"],
                )
                receiver.verified.append(ok)
                receiver.received.append(json.loads(body))
                status = 500 if len(receiver.received) <= receiver.fail or not ok else 204
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(secret="s3cret-key", fail=0):  # noqa: S107
        r = Receiver(secret, fail)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


def test_the_signature_is_hmac_sm3_over_timestamp_and_body():
    body = b'{"a":1}'
    signature = "sm3=" + webhooks.sign("k", "1700000000", body)
    assert len(signature) == 4 + 64
    assert webhooks.verify("k", "1700000000", body, signature, now=1700000100)
    assert not webhooks.verify("k", "1700000000", body + b" ", signature, now=1700000100)
    assert not webhooks.verify("other", "1700000000", body, signature, now=1700000100)
    assert not webhooks.verify("k", "1700000000", body, signature, now=1700009999)  # too old


def test_a_followup_opened_by_a_registration_is_delivered_signed_and_retried(
    taihe, token_client, receiver, django_capture_on_commit_callbacks
):
    hook = receiver(fail=2)
    WebhookEndpoint.objects.create(
        name="省平台", url=hook.url, secret="s3cret-key", events=["followup.opened"]
    )
    code = credit_code(division="360826")
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(taihe).post(
            "/api/v1/registrations/",
            {
                "event": "设立",
                "organization": {"credit_code": code, "name": "泰和县推送公司", "region": "360826100"},
            },
            content_type="application/json",
        )
    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert hook.verified == [True, True, True]
    assert [m["event"] for m in hook.received] == ["followup.opened"] * 3
    data = hook.received[-1]["data"]
    assert data["organization"]["credit_code"] == code and data["unit"] == "市场监管局"


def test_a_report_returned_by_the_office_is_delivered_signed(
    receiver, django_capture_on_commit_callbacks, office_user
):
    hook = receiver()
    WebhookEndpoint.objects.create(
        name="省平台", url=hook.url, secret="s3cret-key", events=["report.returned"]
    )
    period = make_period("2022-05")
    task = make_task("1", units=("邮政管理局",), title="快递小哥“暖心驿站”建设")
    report = submit(task, "邮政管理局", period, when="2022-05-10")
    with django_capture_on_commit_callbacks(execute=True):
        reports.return_report(report, actor=office_user, comment="请补充驿站数量", at=at("2022-05-12"))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1 and hook.verified == [True]
    [message] = hook.received
    assert message["event"] == "report.returned"
    assert message["data"] == {
        "report_id": report.pk,
        "task": "快递小哥“暖心驿站”建设",
        "unit": "邮政管理局",
        "period": "2022-05",
        "comment": "请补充驿站数量",
    }


def test_a_published_bulletin_is_delivered_signed_and_a_draft_is_not(
    receiver, django_capture_on_commit_callbacks, office_user
):
    hook = receiver()
    WebhookEndpoint.objects.create(
        name="省平台", url=hook.url, secret="s3cret-key", events=["bulletin.published"]
    )
    make_period("2022-05")
    make_task("1", units=("邮政管理局",))
    may = {
        "period": datetime.date(2022, 5, 1),
        "as_of": datetime.date(2022, 5, 31),
        "issue_date": datetime.date(2022, 6, 6),
    }
    with django_capture_on_commit_callbacks(execute=True):
        publishing.generate(**may, actor=office_user)  # a preview: nothing is announced
    assert not WebhookDelivery.objects.exists() and hook.received == []
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = publishing.publish(**may, actor=office_user)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and hook.verified == [True]
    [message] = hook.received
    assert message["event"] == "bulletin.published"
    assert message["data"]["period"] == "2022-05" and message["data"]["sha256"] == bulletin.sha256


def test_a_receiver_that_never_answers_well_fails_after_the_last_attempt(
    db, receiver, django_capture_on_commit_callbacks
):
    hook = receiver(fail=99)
    WebhookEndpoint.objects.create(
        name="坏接收端", url=hook.url, secret="s3cret-key", events=["bulletin.published"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("bulletin.published", {"period": "2026-05"})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert "不再重试" in delivery.last_error and delivery.last_status_code == 500


@time_machine.travel(datetime.datetime(2026, 12, 4, 9, 30, tzinfo=datetime.UTC), tick=False)
def test_backoff_grows_and_a_deferred_retry_waits(db, receiver, settings):
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 240, 960]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    hook = receiver(fail=99)
    endpoint = WebhookEndpoint.objects.create(name="x", url=hook.url, secret="k", events=["report.returned"])
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="report.returned", payload={})
    assert webhooks.deliver_webhook.call(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    a_minute_later = datetime.datetime(2026, 12, 4, 9, 31, tzinfo=datetime.UTC)
    assert delivery.next_attempt_at == a_minute_later
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.get(task_path__endswith="deliver_webhook")
    assert queued.run_after == a_minute_later


def test_only_the_security_administrator_sees_the_delivery_log(client_for, secadmin, taihe):
    endpoint = WebhookEndpoint.objects.create(name="省平台", url="http://127.0.0.1:9/", secret="k", events=[])
    WebhookDelivery.objects.create(endpoint=endpoint, event="report.returned", payload={}, status="failed")
    page = client_for(secadmin).get(reverse("api:webhook_deliveries"), {"status": "failed"})
    assert page.status_code == 200 and "省平台" in page.content.decode()
    assert client_for(taihe).get(reverse("api:webhook_deliveries")).status_code == 403
    created = client_for(secadmin).post(
        reverse("api:webhooks"),
        {"name": "民政平台", "url": "http://127.0.0.1:8/x", "events": ["report.returned"]},
    )
    assert created.status_code == 302 and WebhookEndpoint.objects.filter(name="民政平台").exists()


def test_an_import_announces_each_follow_up_it_opens_once_to_a_subscriber(
    city, tmp_path, django_capture_on_commit_callbacks
):
    """More than a thousand follow-ups: announced as one event read in parts, one delivery each."""
    import csv

    from liangxin.core.importing import ImportContext, run_import

    WebhookEndpoint.objects.create(
        name="省平台", url="http://127.0.0.1:9/", secret="k", events=["followup.opened"]
    )
    path = tmp_path / "台账.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["统一社会信用代码", "组织名称", "组织类别", "乡镇（街道）"])
        writer.writerows(
            [credit_code(serial=i), f"公司{i}", "非公企业", "习溪桥街道"] for i in range(1, 2502)
        )
    with django_capture_on_commit_callbacks() as after_commit:
        run_import(path, ImportContext(actor=None, filename="台账.csv", source="command"))
    for callback in after_commit:  # the events; the deliveries' own sending waits (not sent here)
        callback()
    codes = [d.payload["organization"]["credit_code"] for d in WebhookDelivery.objects.order_by("pk")]
    assert len(codes) == 2501 and sorted(codes) == sorted(credit_code(serial=i) for i in range(1, 2502))
