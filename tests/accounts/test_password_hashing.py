"""The password hash's parameters (accounts/hashers.py): Argon2id at OWASP's m = 19 MiB, t = 2,
p = 1 for new passwords; a hash made with Django's older defaults still logs in and is re-hashed
with the new parameters at that login — without counting as a password change."""

import datetime

import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher
from django.urls import reverse

from liangxin.accounts.models import PasswordHistory
from tests.factories import PASSWORD, make_user


def _params(encoded: str) -> tuple[str, int, int, int]:
    decoded = identify_hasher(encoded).decode(encoded)
    return decoded["variety"], decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]


def test_a_new_password_is_hashed_with_argon2id_at_owasps_parameters(city):
    user = make_user("clerk", role="office")
    assert user.password.startswith("argon2$argon2id$")
    assert _params(user.password) == ("argon2id", 19 * 1024, 2, 1)
    assert check_password(PASSWORD, user.password)


@time_machine.travel(datetime.datetime(2026, 11, 30, 9, tzinfo=datetime.UTC), tick=False)
def test_an_old_hash_logs_in_and_is_upgraded_at_that_login(client, city):
    user = make_user("clerk", role="member_unit")
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())  # Django's 100 MiB, p = 8
    user.password = old
    user.save(update_fields=["password"])
    changed_at = user.password_changed_at
    assert _params(old) == ("argon2id", 102400, 2, 8)

    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})

    assert response.status_code == 302 and "_auth_user_id" in client.session
    user.refresh_from_db()
    assert user.password != old
    assert _params(user.password) == ("argon2id", 19 * 1024, 2, 1)
    assert check_password(PASSWORD, user.password)
    # A re-hash is not a password change: no new expiry date, nothing in the history.
    assert user.password_changed_at == changed_at
    assert not PasswordHistory.objects.filter(user=user).exists()


def test_a_wrong_password_leaves_an_old_hash_as_it_was(client, city):
    user = make_user("clerk", role="member_unit")
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.password = old
    user.save(update_fields=["password"])

    response = client.post(reverse("login"), {"username": "clerk", "password": "Wrong@Pass2026"})

    assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()
    user.refresh_from_db()
    assert user.password == old
