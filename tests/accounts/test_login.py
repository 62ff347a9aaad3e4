from django.urls import reverse

from liangxin.core.models import AuditLog
from tests.factories import PASSWORD, make_user


def test_a_wrong_password_gets_a_chinese_message_and_is_audited(client, city):
    make_user("clerk", role="office")
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    failed = AuditLog.objects.get(action="accounts.login.failed")
    assert failed.actor_name == "clerk" and failed.result == "failure"


def test_five_failures_lock_the_username_for_thirty_minutes(client, city):
    make_user("clerk", role="office")
    for _ in range(5):
        client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定 30 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_and_logout_are_audited(client, city):
    user = make_user("clerk", role="office")
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    client.post(reverse("logout"))
    actions = list(AuditLog.objects.filter(actor=user).order_by("id").values_list("action", flat=True))
    assert actions == ["accounts.login.succeeded", "accounts.logout"]


def test_pages_need_a_login(client, city):
    response = client.get(reverse("core:regions"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_password_set_by_an_administrator_must_be_changed_first(client_for, city):
    user = make_user("clerk", role="office", must_change_password=True)
    client = client_for(user)
    response = client.get(reverse("core:regions"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Hong#Qi2026xx", "new_password2": "Hong#Qi2026xx"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("core:regions")).status_code == 200


def test_a_simple_new_password_is_refused_with_the_rule(client_for, city):
    user = make_user("clerk", role="office")
    response = client_for(user).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "abcdefghijk", "new_password2": "abcdefghijk"},
    )
    assert "至少三类" in response.content.decode()


def test_sessions_expire_after_thirty_idle_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST
