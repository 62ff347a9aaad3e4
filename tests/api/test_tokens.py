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


def test_the_security_administrator_cannot_make_a_token_acting_as_the_office(client_for, secadmin):
    """三员分立: a token is its account, so a city-wide token would hand the security
    administrator every organization of the city. Refused through the page, and audited."""
    office = make_user("office", role="office")
    make_org("全市可见公司")
    response = client_for(secadmin).post(
        reverse("api:token_create"),
        {"name": "全市令牌", "user": office.pk, "access": "read", "days": 30, "rate_per_minute": 60},
    )
    assert response.status_code == 200 and "liangxin api_token" in response.content.decode()
    assert not ApiToken.objects.exists()
    refused = AuditLog.objects.get(action="api.token.create_refused")
    assert refused.actor == secadmin and refused.result == "failure"
    assert refused.after == {"name": "全市令牌", "user": "office", "access": "read"}


def test_the_server_command_makes_an_office_token_once_shown_and_audited(city, capsys):
    import io

    from django.core.management import CommandError, call_command

    make_user("office", role="office")
    make_org("全市可见公司")
    out = io.StringIO()
    call_command("api_token", "省级平台", "--user", "office", "--days", "30", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("lx_") and "只读" in out.getvalue()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert "全市可见公司" in api.get(LIST).content.decode()
    assert api.post(LIST, {}, content_type="application/json").status_code in (401, 403)  # read only
    created = AuditLog.objects.get(action="api.token.created")
    assert (
        created.actor is None and created.actor_name.startswith("服务器命令") and created.source == "command"
    )
    assert secret not in str(created.after)
    auditor = make_user("auditor", role="auditadmin")
    with pytest.raises(CommandError, match="不能代表系统、安全、审计管理员"):
        call_command("api_token", "审计令牌", "--user", auditor.username, stdout=io.StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("api_token", "无名令牌", "--user", "nobody", stdout=io.StringIO())


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
