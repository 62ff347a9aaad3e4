"""The second factor: compulsory for the administrators and the office, TOTP with a QR code drawn
on the server, single-use recovery codes, reset only by the security administrator."""

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from liangxin.core.models import AuditLog
from tests.factories import PASSWORD, make_user

NOW = "2026-03-02 09:00 +0800"
LATER = "2026-03-02 09:05 +0800"


def password_login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    return client


def enrolled_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="验证器", confirmed=True)


def code(device, when=NOW) -> str:
    with time_machine.travel(when, tick=False):
        return f"{totp(device.bin_key):06d}"


@pytest.mark.parametrize("role", ["office", "sysadmin", "secadmin", "auditadmin"])
def test_each_compulsory_role_is_sent_to_enrolment_until_it_has_a_second_factor(client, city, role):
    user = make_user("someone", role=role)
    password_login(client, user)
    for url in (reverse("home"), reverse("accounts:password_change"), reverse("accounts:users")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_setup"))


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("role", ["office", "sysadmin", "secadmin", "auditadmin"])
def test_an_enrolled_administrator_reaches_no_page_before_the_code_and_every_page_after(client, city, role):
    user = make_user("someone", role=role)
    device = enrolled_device(user)
    password_login(client, user)
    response = client.get(reverse("core:regions"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_verify") + "?next=%2Fregions%2F"
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("accounts:otp_verify"), {"token": code(device), "next": "/regions/"})
    assert response.status_code == 302 and response["Location"] == "/regions/"
    assert client.get(reverse("home")).status_code == 200
    log = AuditLog.objects.get(action="accounts.otp.verified")
    assert log.actor == user and log.after == {"method": "totp"}


@time_machine.travel(NOW, tick=False)
def test_a_wrong_code_keeps_the_door_shut_and_is_audited(client, city):
    user = make_user("office", role="office")
    device = enrolled_device(user)
    password_login(client, user)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("accounts:otp_verify"), {"token": wrong})
    assert response.status_code == 200 and "验证码错误" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert AuditLog.objects.filter(action="accounts.otp.failed", actor=user, result="failure").exists()


@time_machine.travel(NOW, tick=False)
def test_enrolment_shows_a_server_drawn_qr_code_and_the_first_code_confirms_it(client, city):
    user = make_user("auditor", role="auditadmin")
    password_login(client, user)
    page = client.get(reverse("accounts:otp_setup")).content.decode()
    assert (
        "<svg" in page
        and "两步验证二维码" in page
        and "http" not in page.split("<svg", 1)[1].split("</svg>")[0]
    )
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("accounts:otp_setup"), {"token": code(device)})
    page = response.content.decode()
    assert "请保存您的恢复码" in page
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10 and all(c in page for c in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:audit_log")).status_code == 200
    assert AuditLog.objects.filter(action="accounts.otp.enrolled", actor=user).exists()


@time_machine.travel(NOW, tick=False)
def test_enrolment_with_a_wrong_code_confirms_nothing(client, city):
    user = make_user("auditor", role="auditadmin")
    password_login(client, user)
    client.get(reverse("accounts:otp_setup"))
    response = client.post(reverse("accounts:otp_setup"), {"token": "000000x"})
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get(reverse("core:audit_log")).status_code == 302


@time_machine.travel(NOW, tick=False)
def test_a_recovery_code_works_once(client, city):
    user = make_user("office", role="office")
    enrolled_device(user)
    recovery = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    recovery.token_set.create(token="efgh6789")
    password_login(client, user)
    response = client.post(reverse("accounts:otp_verify"), {"token": "ABCD 2345"})
    assert response.status_code == 302 and client.get(reverse("home")).status_code == 200
    log = AuditLog.objects.get(action="accounts.otp.verified")
    assert log.after == {"method": "recovery_code", "recovery_codes_left": 1}

    client.post(reverse("logout"))
    password_login(client, user)
    with time_machine.travel(LATER, tick=False):  # past the throttle of a fresh device
        response = client.post(reverse("accounts:otp_verify"), {"token": "abcd2345"})
    assert response.status_code == 200 and "验证码错误或已使用" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_other_roles_need_no_second_factor_until_they_enrol(client, city):
    user = make_user("minzheng", role="member_unit", member_unit="民政局")
    password_login(client, user)
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    enrolled_device(user)
    password_login(client, user)
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_verify"))


def test_the_security_administrator_resets_a_lost_second_factor_and_it_is_audited(client_for, city):
    secadmin = make_user("secadmin", role="secadmin")
    auditor = make_user("auditor", role="auditadmin")
    enrolled_device(auditor)
    response = client_for(secadmin).post(reverse("accounts:user_reset_otp", args=[auditor.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=auditor).exists()
    log = AuditLog.objects.get(action="accounts.otp.reset")
    assert log.actor == secadmin and log.object_id == str(auditor.pk)


def test_the_security_administrator_cannot_reset_its_own_second_factor(client_for, city):
    secadmin = make_user("secadmin", role="secadmin")
    client = client_for(secadmin)  # enrols a device and passes it
    client.post(reverse("accounts:user_reset_otp", args=[secadmin.pk]))
    assert TOTPDevice.objects.filter(user=secadmin, confirmed=True).exists()
    assert AuditLog.objects.filter(action="accounts.user.change_refused", actor=secadmin).exists()


@pytest.mark.parametrize("role", ["sysadmin", "auditadmin", "office"])
def test_no_one_else_resets_a_second_factor(client_for, city, role):
    victim = make_user("county", role="county", region="360802")
    enrolled_device(victim)
    response = client_for(make_user("someone", role=role)).post(
        reverse("accounts:user_reset_otp", args=[victim.pk])
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).exists()


def test_renewed_recovery_codes_replace_the_old_ones(client_for, city):
    user = make_user("office", role="office")
    client = client_for(user)
    old = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    old.token_set.create(token="oldcode2")
    page = client.post(reverse("accounts:otp_new_codes")).content.decode()
    assert "请保存您的恢复码" in page
    assert not StaticToken.objects.filter(token="oldcode2").exists()
    assert StaticToken.objects.filter(device__user=user).count() == 10


@time_machine.travel(NOW, tick=False)
def test_the_demo_enrols_its_administrators_and_prints_how_to_get_a_code(client, city, capsys):
    import io

    from django.core.management import call_command

    from liangxin.accounts import demo as accounts_demo
    from liangxin.core import demo as core_demo

    core_demo.load(city, io.StringIO())
    accounts_demo.load(city, io.StringIO())
    out = io.StringIO()
    call_command("demo", "--logins", stdout=out)
    text = out.getvalue()
    assert "liangxin demo_code" in text
    office = make_user("office2", role="office")  # not a demo account: no demo device
    for username in ("office", "sysadmin", "secadmin", "auditadmin"):
        device = TOTPDevice.objects.get(user__username=username, name="演示验证器")
        assert username in text and accounts_demo.second_factor.secret_text(device) in text
    with time_machine.travel(NOW, tick=False):
        printed = io.StringIO()
        call_command("demo_code", "auditadmin", stdout=printed)
        demo_code = printed.getvalue()[:6]
        client.post(reverse("login"), {"username": "auditadmin", "password": core_demo.DEMO_PASSWORD})
        response = client.post(reverse("accounts:otp_verify"), {"token": demo_code})
        assert response.status_code == 302 and client.get(reverse("core:audit_log")).status_code == 200
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="没有演示验证器"):
        call_command("demo_code", office.username)


def every_url() -> dict[str, str]:
    """One concrete address for every named URL pattern of the site (made-up ids: the second
    factor is asked for before any view looks at them)."""
    from django.urls import NoReverseMatch

    from tests.test_url_scope_table import url_names

    tries = ([], [1], ["csv"], ["360802"], ["2026-05"], [1, 1], ["2026-05", "docx"], ["a" * 16], ["x"])
    urls = {}
    for name in url_names():
        for args in tries:
            try:
                urls[name] = reverse(name, args=args)
                break
            except NoReverseMatch:
                continue
    return urls


@pytest.mark.parametrize("enrolled", [False, True], ids=["not enrolled", "enrolled"])
@pytest.mark.parametrize("role", ["office", "sysadmin", "secadmin", "auditadmin"])
def test_no_address_of_the_site_answers_an_administrator_before_the_second_factor(
    client, city, role, enrolled
):
    user = make_user("someone", role=role)
    if enrolled:
        enrolled_device(user)
    password_login(client, user)
    urls = every_url()
    # Every pattern has an address here, so a new page cannot slip past this test unseen.
    from tests.test_url_scope_table import url_names

    assert set(urls) == set(url_names()), sorted(set(url_names()) - set(urls))
    door = reverse("accounts:otp_verify" if enrolled else "accounts:otp_setup")
    open_to_all = {"accounts:otp_setup", "accounts:otp_verify", "logout"}
    for name, url in urls.items():
        if name in open_to_all:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (name, url, method, response.status_code)
            assert response["Location"].startswith(door), (name, url, method, response["Location"])
    assert "_auth_user_id" in client.session  # still the same half-signed-in session
