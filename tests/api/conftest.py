"""Tokens for API tests: `token_client(user, access)` is a client whose requests carry a fresh
token acting as `user`."""

import pytest
from django.test import Client

from liangxin.api import tokens
from tests.factories import make_user


@pytest.fixture
def secadmin(city):
    return make_user("secadmin", role="secadmin")


@pytest.fixture
def jizhou(city):
    return make_user("jizhou", role="county", region="360802")


@pytest.fixture
def taihe(city):
    return make_user("taihe", role="county", region="360826")


@pytest.fixture
def make_token(secadmin):
    serial = iter(range(1, 10_000))

    def make(user, access="write", *, name=None, days=30, rate=1000):
        # A token acting as the office is made on the server (`liangxin api_token`, actor None).
        return tokens.create_token(
            actor=None if user.role == "office" else secadmin,
            name=name or f"测试对接系统{next(serial)}",
            user=user,
            access=access,
            days=days,
            rate_per_minute=rate,
        )

    return make


@pytest.fixture
def token_client(make_token):
    def client(user, access="write", **kwargs):
        _, secret = make_token(user, access, **kwargs)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return client


@pytest.fixture
def read_client_for(make_token):
    """A `ScopeCase.client_factory`: each user's requests carry one read-only token of theirs."""
    secrets = {}

    def client_for(user):
        if user.pk not in secrets:
            secrets[user.pk] = make_token(user, "read")[1]
        return Client(HTTP_AUTHORIZATION=f"Bearer {secrets[user.pk]}")

    return client_for


@pytest.fixture
def office_user(city):
    return make_user("office", role="office")
