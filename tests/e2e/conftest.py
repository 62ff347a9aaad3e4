"""Browser tests: Debian's Chromium driven by Playwright (no browser download)."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (building data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("LIANGXIN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the live server reads a database file, as in production (WAL, one writer that
    others wait for), not Django's shared-cache in-memory database: there two requests of one
    page (the cockpit's charts) meet “database table is locked” at once instead of waiting."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("e2e-db") / "test.sqlite3")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} 不存在：请运行 make browser 安装 Debian 的 chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def e2e_city(transactional_db):
    """Transactional tests flush the database: load the city again for each browser test."""
    from liangxin.core.models import Installation
    from liangxin.core.services import setup_installation

    return Installation.current_city() or setup_installation("360800")[0]


def login(page, live_server, username: str, password: str) -> None:
    """Log in through the pages; an account that needs the second factor types a fresh
    recovery code (its authenticator is enrolled here), as a person would type a code."""
    from liangxin.accounts import second_factor
    from liangxin.accounts.models import User

    user = User.objects.filter(username=username).first()
    token = None
    if user is not None and second_factor.required(user):
        token = enrol_for_tests(user)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if token:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_url("**/accounts/otp/verify/**", timeout=5_000)
        except PlaywrightTimeout:
            return  # the password was refused: the test looks at the login page
        page.get_by_label("验证码").fill(token)
        page.get_by_role("button", name="验证").click()
        page.wait_for_load_state()


def enrol_for_tests(user) -> str:
    """A confirmed authenticator for `user` and one new recovery code, returned."""
    import secrets

    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="恢复码", defaults={"confirmed": True})
    token = secrets.token_hex(4)
    device.token_set.create(token=token)
    return token
