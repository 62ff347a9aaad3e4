"""Passwords (history, expiry, patterns), lockout by username + address, concurrent sessions."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from liangxin.accounts import services
from liangxin.core.models import AuditLog
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize(
    "weak", ["Aaaaaaaaaa1", "Qwerty123!", "Abcd1234!", "Zyxw#9876aa", "P@ssw0rd", "Asdf!ghj12"]
)
def test_repeats_keyboard_runs_and_common_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


@pytest.mark.parametrize("good", ["Hong#Qi2026xx", "Liangxin@2026", "Tai#He2026abc"])
def test_ordinary_strong_passwords_pass(good):
    validate_password(good)


def change(client, old, new):
    return client.post(
        reverse("accounts:password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_the_forced_change_refuses_the_same_password(client_for, city):
    user = make_user("clerk", role="county", region="360802", must_change_password=True)
    response = change(client_for(user), PASSWORD, PASSWORD)
    assert "最近 5 次用过的密码" in response.content.decode()
    user.refresh_from_db()
    assert user.must_change_password


def test_none_of_the_last_five_passwords_comes_back(city):
    user = make_user("clerk", role="county", region="360802")
    passwords = ["Hong#Qi2026x1", "Hong#Qi2026x2", "Hong#Qi2026x3", "Hong#Qi2026x4", "Hong#Qi2026x5"]
    for password in passwords:
        services.change_own_password(user, password)
    for old in passwords:
        with pytest.raises(ValidationError, match="最近 5 次"):
            services.change_own_password(user, old)
    services.change_own_password(user, "Hong#Qi2026x6")
    services.change_own_password(user, "Hong#Qi2026x1")  # now six changes ago
    assert user.password_history.count() == 5


def test_a_password_older_than_ninety_days_must_be_changed(client_for, city):
    with time_machine.travel("2026-01-05 09:00 +0800", tick=False):
        user = make_user("clerk", role="county", region="360802")
        services.change_own_password(user, "Hong#Qi2026xx")
    with time_machine.travel("2026-04-04 09:00 +0800", tick=False):  # day 89
        assert client_for(user).get(reverse("core:regions")).status_code == 200
    with time_machine.travel("2026-04-05 09:00 +0800", tick=False):  # day 90
        client = client_for(user)
        response = client.get(reverse("core:regions"))
        assert response["Location"] == reverse("accounts:password_change")
        assert "已使用超过规定期限" in client.get(reverse("accounts:password_change")).content.decode()
        change(client, "Hong#Qi2026xx", "Hong#Qi2026yy")
        assert client.get(reverse("core:regions")).status_code == 200


def test_expiry_can_be_switched_off(client_for, city, settings):
    settings.LIANGXIN_PASSWORD_MAX_AGE_DAYS = 0
    with time_machine.travel("2020-01-05 09:00 +0800", tick=False):
        user = make_user("clerk", role="county", region="360802")
    with time_machine.travel("2026-01-05 09:00 +0800", tick=False):
        assert client_for(user).get(reverse("core:regions")).status_code == 200


def fail_five_times(username, ip):
    client = Client(REMOTE_ADDR=ip)
    for _ in range(5):
        client.post(reverse("login"), {"username": username, "password": "wrong"})
    return client


def test_failures_from_one_address_do_not_lock_the_office_out_elsewhere(city):
    make_user("office", role="office")
    attacker = fail_five_times("office", "10.9.9.9")
    response = attacker.post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 429
    colleague = Client(REMOTE_ADDR="10.1.1.1")
    response = colleague.post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in colleague.session


def test_the_security_administrator_sees_lockouts_and_lifts_one(client_for, city):
    target = make_user("clerk", role="county", region="360802")
    fail_five_times("clerk", "10.9.9.9")
    secadmin = make_user("secadmin", role="secadmin")
    client = client_for(secadmin)
    page = client.get(reverse("accounts:lockouts")).content.decode()
    assert "clerk" in page and "10.9.9.9" in page
    response = client.post(reverse("accounts:user_unlock", args=[target.pk]), {"next": "lockouts"})
    assert response["Location"] == reverse("accounts:lockouts")
    assert "当前没有被锁定的登录" in client.get(reverse("accounts:lockouts")).content.decode()
    log = AuditLog.objects.get(action="accounts.user.unlocked")
    assert log.actor == secadmin and log.after == {"cleared_attempts": 1}
    retry = Client(REMOTE_ADDR="10.9.9.9")
    assert retry.post(reverse("login"), {"username": "clerk", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("role", ["office", "auditadmin", "county"])
def test_only_the_security_administrator_sees_lockouts(client_for, city, role):
    user = make_user("someone", role=role, region="360802" if role == "county" else None)
    assert client_for(user).get(reverse("accounts:lockouts")).status_code == 403


def test_a_new_administrator_login_ends_the_older_session(city):
    auditor = make_user("auditor", role="auditadmin")
    first, second = Client(), Client()
    first.force_login(auditor)
    assert first.get(reverse("core:audit_log")).status_code == 200
    second.force_login(auditor)
    response = first.get(reverse("core:audit_log"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in first.session
    assert second.get(reverse("core:audit_log")).status_code == 200
    log = AuditLog.objects.get(action="accounts.session.superseded")
    assert log.actor == auditor and log.after == {"ended_sessions": 1, "limit": 1}


def test_other_accounts_keep_parallel_sessions_unless_configured(city, settings):
    clerk = make_user("clerk", role="county", region="360802")
    first, second = Client(), Client()
    first.force_login(clerk)
    second.force_login(clerk)
    assert first.get(reverse("core:regions")).status_code == 200
    settings.LIANGXIN_MAX_SESSIONS = 1
    third = Client()
    third.force_login(clerk)
    assert first.get(reverse("core:regions")).status_code == 302
    assert second.get(reverse("core:regions")).status_code == 302
    assert third.get(reverse("core:regions")).status_code == 200


def test_logging_out_ends_the_counted_session(city):
    from liangxin.accounts.models import LoginSession

    clerk = make_user("clerk", role="county", region="360802")
    client = Client()
    client.force_login(clerk)
    assert LoginSession.objects.filter(user=clerk).count() == 1
    client.post(reverse("logout"))
    assert not LoginSession.objects.filter(user=clerk).exists()


def test_password_ages_are_counted_in_days(city):
    user = make_user("clerk", role="county", region="360802")
    user.password_changed_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert not user.password_expired(now=dt.datetime(2026, 3, 31, 23, tzinfo=dt.UTC))
    assert user.password_expired(now=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
