import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from liangxin.api.models import ApiToken
from liangxin.core.models import AuditLog
from tests.factories import make_user
from tests.registry.factories import make_org

LIST = "/api/v1/organizations/"


def test_it_shows_the_secret_once_and_keeps_only_its_digest(client_for, secadmin, taihe):
    client = client_for(secadmin)
    response = client.post(
        reverse("api:token_create"),
        {"name": "市场监管登记系统", "user": taihe.pk, "access": "write", "days": 30, "rate_per_minute": 60},
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("lx_") and secret in response.content.decode()
    token = ApiToken.objects.get(name="市场监管登记系统")
    assert secret not in token.key_hash and token.key_hash != secret
    listing = client.get(reverse("api:tokens")).content.decode()
    assert "市场监管登记系统" in listing and f"lx_{token.prefix}_…" in listing and secret not in listing
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(LIST).status_code == 200
    created = AuditLog.objects.get(action="api.token.created")
    assert created.actor == secadmin and secret not in str(created.after)


def test_only_the_security_administrator_manages_tokens(client_for, city, taihe):
    office = make_user("office", role="office")
    for user in (office, taihe):
        assert client_for(user).get(reverse("api:tokens")).status_code == 403
        assert client_for(user).get(reverse("api:token_create")).status_code == 403


def test_a_token_may_not_act_as_an_administrator(client_for, secadmin):
    auditor = make_user("auditor", role="auditadmin")
    response = client_for(secadmin).post(
        reverse("api:token_create"),
        {"name": "x", "user": auditor.pk, "access": "read", "days": 30, "rate_per_minute": 60},
    )
    assert response.status_code == 200 and not ApiToken.objects.exists()


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer lx_00000000_wrong", "Basic abc", "Bearer 你好"])
def test_a_missing_or_wrong_token_gets_a_401_problem(db, city, header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get(LIST)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "令牌" in response.json()["detail"]


def test_a_revoked_token_stops_at_once(client_for, secadmin, taihe, make_token):
    token, secret = make_token(taihe)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(LIST).status_code == 200
    response = client_for(secadmin).post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert api.get(LIST).status_code == 401
    assert AuditLog.objects.filter(action="api.token.revoked", object_id=str(token.pk)).exists()


def test_an_expired_token_is_refused(taihe, make_token):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        _, secret = make_token(taihe, days=10)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert api.get(LIST).status_code == 200
    with time_machine.travel(datetime.datetime(2026, 3, 12, 9, tzinfo=datetime.UTC), tick=False):
        assert api.get(LIST).status_code == 401


def test_a_token_of_a_disabled_account_is_refused(taihe, make_token):
    _, secret = make_token(taihe)
    taihe.is_active = False
    taihe.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(LIST).status_code == 401


def test_too_many_requests_get_429_with_retry_after(taihe, token_client):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, 15, tzinfo=datetime.UTC), tick=False):
        api = token_client(taihe, rate=3)
        assert [api.get(LIST).status_code for _ in range(3)] == [200, 200, 200]
        response = api.get(LIST)
        assert response.status_code == 429
        assert response["Retry-After"] == "45"
        assert response["Content-Type"] == "application/problem+json"
        assert "每分钟最多 3 次" in response.json()["detail"]
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 1, 1, tzinfo=datetime.UTC), tick=False):
        assert api.get(LIST).status_code == 200


def test_a_read_token_cannot_write(taihe, token_client):
    make_org("泰和县只读测试公司", region="360826100")
    api = token_client(taihe, "read")
    response = api.post(LIST, {"credit_code": "x", "name": "y"}, content_type="application/json")
    assert response.status_code == 403
    assert "只读" in response.json()["detail"]


def test_the_docs_page_uses_local_assets(client):
    response = client.get("/api/v1/docs")
    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organizations/bulk" in schema["paths"]
