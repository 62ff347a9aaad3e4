import os

import pytest
import time_machine
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_tasks_db.models import DBTaskResult

from liangxin.core.models import Installation
from liangxin.core.services import setup_installation
from tests.factories import make_user

CITY = "360800"


@receiver(connection_created)
def allow_the_test_runner_to_empty_the_audit_log(sender, connection, **kwargs):
    """Django empties a transactional test's tables with TRUNCATE, which the audit log refuses
    on PostgreSQL (core migration 0007) unless the session says it is the test suite's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET liangxin.test_flush = 'on'")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The region tree is reference data: load the real 吉安市 table once per session.
    with django_db_blocker.unblock():
        setup_installation(CITY)
        # Setting up queued a cockpit warm-up (the default backend keeps jobs for a worker):
        # tests that run a worker start with an empty queue.
        DBTaskResult.objects.all().delete()


@pytest.fixture(autouse=True, scope="session")
def faked_clock():
    """For a manual check that no test depends on the hour: ``LIANGXIN_TEST_CLOCK="2026-12-04
    00:30 +0800" pytest -m "not e2e"`` runs the whole suite with the clock starting there (and
    ticking). Unset (always, in `make test`), nothing changes."""
    start = os.environ.get("LIANGXIN_TEST_CLOCK")
    if not start:
        yield
        return
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture(autouse=True)
def immediate_tasks_and_private_media(settings, tmp_path):
    """Background jobs run inline, and uploads land in the test's own folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test its own cache: a file cache would carry figures from one test's data to the next.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": str(tmp_path)}}  # fmt: skip


@pytest.fixture(autouse=True)
def force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` stands for a finished login: password *and* second factor
    (an enrolled authenticator). Tests of the login itself post to the login page instead."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def city(db):
    return Installation.current_city() or setup_installation(CITY)[0]


@pytest.fixture
def office(city):
    return make_user("office", role="office")


@pytest.fixture
def client_for(client):
    """Log a client in as a user: `client_for(user).get(url)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
