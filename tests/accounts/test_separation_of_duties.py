"""三员分立: the system, security and audit administrators cannot do one another's job."""

import pytest
from django.urls import reverse

from liangxin.accounts.models import User
from liangxin.core.models import AuditLog, Region
from tests.factories import make_user


@pytest.fixture
def admins(city):
    return {role: make_user(role, role=role) for role in ("sysadmin", "secadmin", "auditadmin")}


@pytest.mark.parametrize(
    ("url_name", "allowed"),
    [
        ("accounts:users", "secadmin"),
        ("accounts:user_create", "secadmin"),
        ("core:audit_log", "auditadmin"),
        ("core:member_unit_create", "sysadmin"),
        ("core:regions", "sysadmin"),
    ],
)
def test_each_administrator_has_only_their_own_pages(client, admins, url_name, allowed):
    for role, user in admins.items():
        client.force_login(user)
        status = client.get(reverse(url_name)).status_code
        assert status == (200 if role == allowed else 403), (role, url_name)


def test_the_office_cannot_manage_accounts_or_read_the_audit_log(client_for, office):
    client = client_for(office)
    assert client.get(reverse("accounts:users")).status_code == 403
    assert client.get(reverse("core:audit_log")).status_code == 403


def test_the_security_administrator_creates_a_county_user_and_it_is_audited(client_for, admins):
    response = client_for(admins["secadmin"]).post(
        reverse("accounts:user_create"),
        {
            "username": "taihe",
            "full_name": "泰和县组织部",
            "role": "county",
            "region": Region.objects.get(code="360826").pk,
            "is_active": "on",
            "password": "Tai#He2026abc",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="taihe")
    assert user.region.code == "360826" and user.must_change_password
    log = AuditLog.objects.get(action="accounts.user.created")
    assert log.actor == admins["secadmin"] and log.after["role"] == "county"
    assert "password" not in log.after


def test_a_role_without_its_jurisdiction_is_refused_in_chinese(client_for, admins):
    response = client_for(admins["secadmin"]).post(
        reverse("accounts:user_create"),
        {
            "username": "x1",
            "role": "county",
            "region": Region.objects.get(code="360802001").pk,
            "is_active": "on",
            "password": "Tai#He2026abc",
        },
    )
    assert "所辖区划应为县（市、区）级" in response.content.decode()
    response = client_for(admins["secadmin"]).post(
        reverse("accounts:user_create"),
        {"username": "x2", "role": "member_unit", "is_active": "on", "password": "Tai#He2026abc"},
    )
    assert "必须选择所属成员单位" in response.content.decode()
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()


def test_changing_a_users_role_is_recorded_as_a_permission_change(client_for, admins):
    target = make_user("clerk", role="county", region="360802")
    client_for(admins["secadmin"]).post(
        reverse("accounts:user_edit", args=[target.pk]),
        {
            "username": "clerk",
            "role": "county",
            "region": Region.objects.get(code="360803").pk,
            "is_active": "on",
        },
    )
    log = AuditLog.objects.get(action="accounts.user.permissions_changed")
    assert log.before == {"region": "吉州区"} and log.after == {"region": "青原区"}


def test_a_weak_initial_password_is_refused(client_for, admins):
    response = client_for(admins["secadmin"]).post(
        reverse("accounts:user_create"),
        {
            "username": "weak",
            "role": "county",
            "region": Region.objects.get(code="360826").pk,
            "is_active": "on",
            "password": "12345678",
        },
    )
    page = response.content.decode()
    assert "密码" in page and not User.objects.filter(username="weak").exists()


def test_the_security_administrator_unlocks_a_locked_user(client, admins):
    make_user("clerk", role="office")
    for _ in range(5):
        client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    client.force_login(admins["secadmin"])
    assert "已锁定" in client.get(reverse("accounts:users")).content.decode()
    target = User.objects.get(username="clerk")
    client.post(reverse("accounts:user_unlock", args=[target.pk]))
    assert "已锁定" not in client.get(reverse("accounts:users")).content.decode()
    assert AuditLog.objects.filter(action="accounts.user.unlocked").exists()


def test_the_audit_administrator_reads_and_filters_the_log(client_for, admins, office):
    AuditLog.objects.create(action="core.area.created", actor_name="office", object_repr="某园区")
    AuditLog.objects.create(action="accounts.login.failed", actor_name="nobody", result="failure")
    page = client_for(admins["auditadmin"]).get(reverse("core:audit_log") + "?action=core.").content.decode()
    assert "某园区" in page and "nobody" not in page


def test_the_adduser_command_refuses_a_weak_password_with_a_non_zero_exit(city, capsys):
    import io
    import sys

    from django.core.management import CommandError, call_command

    stdin = sys.stdin
    sys.stdin = io.StringIO("short\n")
    try:
        with pytest.raises(CommandError, match="密码"):
            call_command("adduser", "first-secadmin", "--role", "secadmin", "--password-stdin")
    finally:
        sys.stdin = stdin
    assert not User.objects.filter(username="first-secadmin").exists()
