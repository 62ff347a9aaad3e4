"""三员分立 that holds: each escalation the probe found is refused, and the refusal is audited."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from liangxin.accounts.models import User
from liangxin.core.models import AuditLog, Industry, MemberUnit, Region
from tests.factories import PASSWORD, make_user


@pytest.fixture
def admins(city):
    return {role: make_user(role, role=role) for role in ("sysadmin", "secadmin", "auditadmin")}


def refusals(action="accounts.user.change_refused"):
    return AuditLog.objects.filter(action=action, result="failure")


def edit_form(user, **changes):
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "region": user.region_id or "",
        "area": user.area_id or "",
        "member_unit": user.member_unit_id or "",
        "is_active": "on" if user.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.parametrize("role", ["office", "auditadmin", "sysadmin"])
def test_the_security_administrator_cannot_give_itself_another_role(client_for, admins, role):
    secadmin = admins["secadmin"]
    response = client_for(secadmin).post(
        reverse("accounts:user_edit", args=[secadmin.pk]), edit_form(secadmin, role=role)
    )
    assert response.status_code == 403
    assert "本人账号" in response.content.decode()
    secadmin.refresh_from_db()
    assert secadmin.role == "secadmin"
    log = refusals().get()
    assert log.actor == secadmin and log.after["role"] == role and log.after["operation"] == "update"


def test_the_security_administrator_cannot_disable_itself(client_for, admins):
    secadmin = admins["secadmin"]
    response = client_for(secadmin).post(
        reverse("accounts:user_edit", args=[secadmin.pk]), edit_form(secadmin, is_active="")
    )
    assert response.status_code == 403
    secadmin.refresh_from_db()
    assert secadmin.is_active and refusals().count() == 1


def test_the_security_administrator_cannot_reset_its_own_password_through_the_user_pages(client_for, admins):
    secadmin = admins["secadmin"]
    response = client_for(secadmin).post(
        reverse("accounts:user_reset_password", args=[secadmin.pk]), {"password": "Xin#Mi2026qz"}
    )
    assert response.status_code == 403
    secadmin.refresh_from_db()
    assert secadmin.check_password(PASSWORD) and refusals().get().after["operation"] == "password"


@pytest.mark.parametrize("victim_role", ["auditadmin", "sysadmin", "office"])
def test_the_security_administrator_cannot_reset_a_privileged_accounts_password(
    client_for, admins, victim_role
):
    victim = admins.get(victim_role) or make_user("office", role="office")
    response = client_for(admins["secadmin"]).post(
        reverse("accounts:user_reset_password", args=[victim.pk]), {"password": "Xin#Mi2026qz"}
    )
    assert response.status_code == 403
    assert "liangxin account" in response.content.decode()
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD) and not victim.must_change_password
    log = refusals().get()
    assert log.object_id == str(victim.pk) and log.actor == admins["secadmin"]
    # …so it cannot log in as that account either.
    client = client_for(admins["secadmin"])
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": victim.username, "password": "Xin#Mi2026qz"})
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["office", "auditadmin", "secadmin", "sysadmin"])
def test_the_security_administrator_cannot_create_a_privileged_account(client_for, admins, role):
    response = client_for(admins["secadmin"]).post(
        reverse("accounts:user_create"),
        {"username": "helper", "role": role, "is_active": "on", "password": "Xin#Mi2026qz"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="helper").exists()
    log = refusals().get()
    assert log.after == {"operation": "create", "username": "helper", "role": role}


def test_the_security_administrator_cannot_promote_an_ordinary_account(client_for, admins):
    clerk = make_user("clerk", role="county", region="360802")
    response = client_for(admins["secadmin"]).post(
        reverse("accounts:user_edit", args=[clerk.pk]), edit_form(clerk, role="office", region="")
    )
    assert response.status_code == 403
    clerk.refresh_from_db()
    assert clerk.role == "county" and refusals().count() == 1


@pytest.mark.parametrize("victim_role", ["office", "auditadmin"])
def test_the_security_administrator_cannot_deactivate_the_office_or_the_audit_administrator(
    client_for, admins, victim_role
):
    victim = admins.get(victim_role) or make_user("office", role="office")
    response = client_for(admins["secadmin"]).post(
        reverse("accounts:user_edit", args=[victim.pk]), edit_form(victim, is_active="")
    )
    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.is_active
    assert refusals().get().after["is_active"] is False


def test_the_security_administrator_still_manages_ordinary_accounts(client_for, admins):
    clerk = make_user("clerk", role="county", region="360802")
    client = client_for(admins["secadmin"])
    response = client.post(reverse("accounts:user_edit", args=[clerk.pk]), edit_form(clerk, is_active=""))
    assert response.status_code == 302
    response = client.post(
        reverse("accounts:user_reset_password", args=[clerk.pk]), {"password": "Xin#Mi2026qz"}
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active and clerk.must_change_password and not refusals().exists()


def test_the_user_list_offers_no_edit_for_privileged_accounts_or_oneself(client_for, admins):
    clerk = make_user("clerk", role="county", region="360802")
    page = client_for(admins["secadmin"]).get(reverse("accounts:users")).content.decode()
    assert reverse("accounts:user_edit", args=[clerk.pk]) in page
    for user in admins.values():
        assert reverse("accounts:user_edit", args=[user.pk]) not in page
        assert reverse("accounts:user_reset_password", args=[user.pk]) not in page


def test_the_system_administrator_cannot_widen_a_member_units_industries(client_for, admins):
    unit = MemberUnit.objects.get(name="交通运输局")
    before = sorted(unit.industries.values_list("code", flat=True))
    everything = Industry.objects.filter(code__regex=r"^[A-T]$")
    response = client_for(admins["sysadmin"]).post(
        reverse("core:member_unit_edit", args=[unit.pk]),
        {
            "name": unit.name,
            "kind": unit.kind,
            "region": unit.region_id or "",
            "industries": [i.pk for i in everything],
            "tags": "、".join(unit.tags),
            "sort": unit.sort,
            "active": "on",
        },
    )
    assert response.status_code == 403
    assert "只能由工委办公室修改" in response.content.decode()
    assert sorted(unit.industries.values_list("code", flat=True)) == before
    log = refusals("core.member_unit.change_refused").get()
    assert log.actor == admins["sysadmin"] and log.before["industries"] == before


def test_the_system_administrator_cannot_add_key_group_tags(client_for, admins):
    unit = MemberUnit.objects.get(name="民政局")
    response = client_for(admins["sysadmin"]).post(
        reverse("core:member_unit_edit", args=[unit.pk]),
        {
            "name": unit.name,
            "kind": unit.kind,
            "industries": list(unit.industries.values_list("pk", flat=True)),
            "tags": "、".join([*unit.tags, "快递"]),
            "sort": unit.sort,
            "active": "on",
        },
    )
    assert response.status_code == 403
    unit.refresh_from_db()
    assert "快递" not in unit.tags and refusals("core.member_unit.change_refused").count() == 1


def test_the_system_administrator_cannot_move_a_member_unit_into_a_county(client_for, admins):
    """A county sees the tasks and reports of the units in its region: moving 交通运输局 into
    泰和县 (or making it a county 组织部) would widen 泰和县's scope. Refused, audited."""
    from tests.dispatch.factories import make_task

    unit = MemberUnit.objects.get(name="交通运输局")
    task = make_task("1", lead="交通运输局", title="交通运输局的任务")
    taihe = make_user("taihe", role="county", region="360826")
    county = Region.objects.get(code="360826").pk
    for change in ({"region": county}, {"kind": "county_org", "region": county}):
        response = client_for(admins["sysadmin"]).post(
            reverse("core:member_unit_edit", args=[unit.pk]),
            {
                "name": unit.name,
                "kind": unit.kind,
                "region": unit.region_id or "",
                "industries": list(unit.industries.values_list("pk", flat=True)),
                "tags": "、".join(unit.tags),
                "sort": unit.sort,
                "active": "on",
            }
            | change,
        )
        assert response.status_code == 403
    unit.refresh_from_db()
    assert (unit.kind, unit.region.code, unit.county_code) == ("department", "360800", "")
    logs = refusals("core.member_unit.change_refused").order_by("pk")
    assert [log.after["region"] for log in logs] == [county, county]
    assert logs[1].after["kind"] == "county_org" and logs[1].before["kind"] == "department"
    from liangxin.dispatch.models import Task

    assert not Task.objects.restrict(taihe).filter(pk=task.pk).exists()


def test_the_system_administrator_still_edits_a_member_units_contact(client_for, admins):
    unit = MemberUnit.objects.get(name="民政局")
    response = client_for(admins["sysadmin"]).post(
        reverse("core:member_unit_edit", args=[unit.pk]),
        {
            "name": unit.name,
            "kind": unit.kind,
            "industries": list(unit.industries.values_list("pk", flat=True)),
            "region": unit.region_id or "",
            "tags": "、".join(unit.tags),
            "contact": "张三",
            "sort": unit.sort,
            "active": "on",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.contact == "张三"


def test_the_office_may_change_what_a_member_unit_supervises(client_for, office):
    unit = MemberUnit.objects.get(name="民政局")
    response = client_for(office).post(
        reverse("core:member_unit_edit", args=[unit.pk]),
        {"name": unit.name, "kind": unit.kind, "tags": "快递", "sort": unit.sort, "active": "on"},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.tags == ["快递"]


def test_an_account_holds_exactly_one_known_role(city):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="two", role="secadmin,auditadmin")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="none", role="")


def test_the_server_command_grants_an_administrator_role_and_is_audited(city, capsys):
    clerk = make_user("clerk", role="county", region="360802")
    call_command("account", "clerk", "--role", "auditadmin")
    clerk.refresh_from_db()
    assert clerk.role == "auditadmin" and clerk.region is None
    log = AuditLog.objects.get(action="accounts.user.permissions_changed")
    assert log.source == "command" and log.actor is None and log.actor_name.startswith("服务器命令")
    assert log.before["role"] == "county" and log.after["role"] == "auditadmin"


def test_the_server_command_resets_an_administrators_password_and_disables_it(city):
    auditor = make_user("auditor", role="auditadmin")
    stdin = sys.stdin
    sys.stdin = io.StringIO("Shen#Ji2026qz\n")
    try:
        call_command("account", "auditor", "--password-stdin", "--disable")
    finally:
        sys.stdin = stdin
    auditor.refresh_from_db()
    assert auditor.check_password("Shen#Ji2026qz") and auditor.must_change_password and not auditor.is_active
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"accounts.user.password_reset", "accounts.user.permissions_changed"} <= actions


def test_the_server_command_refuses_a_county_role_without_a_county(city):
    make_user("clerk", role="office")
    with pytest.raises(CommandError, match="必须选择所辖区划"):
        call_command("account", "clerk", "--role", "county")
    with pytest.raises(CommandError, match="不存在"):
        call_command("account", "nobody", "--disable")
    assert User.objects.get(username="clerk").role == "office"


def test_only_the_security_administrator_changes_accounts_even_through_the_service(city, office):
    from liangxin.accounts import guards, services

    clerk = make_user("clerk", role="county", region="360802")
    with pytest.raises(guards.Refused, match="只有安全管理员"):
        services.update_user(clerk, actor=office, region=Region.objects.get(code="360803"))
    clerk.refresh_from_db()
    assert clerk.region.code == "360802" and refusals().get().actor == office
