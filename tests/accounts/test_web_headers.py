"""Web headers: a strict CSP and no-store on every dynamic answer; no inline script or style in
any template (the CSP would block it); `check --deploy` clean with production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

import liangxin
from tests.factories import make_user

TEMPLATES = sorted(Path(liangxin.__file__).parent.rglob("templates/**/*.html"))


def assert_strict(response):
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_and_a_refusal_carry_the_policy(client, city):
    assert_strict(client.get(reverse("login")))
    assert_strict(client.get(reverse("core:regions")))  # the redirect to the login page


def test_authenticated_pages_and_downloads_are_not_stored(client_for, office):
    client = client_for(office)
    for url in (reverse("home"), reverse("core:regions"), reverse("registry:import_template")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("/liangxin/", 1)[1])
def test_no_template_has_inline_script_handlers_or_styles(template):
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "on…= handler"
    assert not re.search(r"\sstyle\s*=", text), "style= attribute"
    assert "javascript:" not in text


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "Production-Only-Key-For-The-Check-0123456789abcdefghij",
        "LIANGXIN_HTTPS": "1",
        "ALLOWED_HOSTS": "dj.example.gov.cn",
        "LIANGXIN_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest, never in production
    result = subprocess.run(
        [sys.executable, "-m", "liangxin", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_member_unit_page_is_not_stored_either(client_for, city):
    user = make_user("minzheng", role="member_unit", member_unit="民政局")
    assert_strict(client_for(user).get(reverse("core:member_units")))
