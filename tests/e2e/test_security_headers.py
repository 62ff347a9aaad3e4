"""Every page of every role, reached through the navigation as a person would: each answer
carries the strict Content-Security-Policy and `Cache-Control: no-store`, and the browser reports
no console error (a CSP violation is one)."""

import io
from urllib.parse import urlparse

import pytest

from liangxin.core import demo as core_demo
from liangxin.core.demo import DEMO_PASSWORD
from liangxin.core.roles import Role
from liangxin.dispatch import demo as dispatch_demo
from tests.e2e.conftest import login


def one_login_per_role(city) -> dict[str, str]:
    logins: dict[str, str] = {}
    for spec in core_demo.demo_users(city):
        logins.setdefault(str(spec["role"]), spec["username"])
    return logins


def assert_headers(response, url):
    assert response is not None, url
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp, (url, csp)
    assert "'unsafe-inline'" not in csp.split("style-src")[0], (url, csp)
    assert "no-store" in response.headers.get("cache-control", ""), url


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_page_of_every_role_has_the_csp_and_no_console_errors(browser, live_server, e2e_city, role):
    core_demo.load(e2e_city, io.StringIO())
    dispatch_demo.load(e2e_city, io.StringIO())
    username = one_login_per_role(e2e_city)[role]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    refused: list[str] = []  # pages that answered 4xx: the browser logs their load as an error
    page.on("console", lambda msg: msg.type == "error" and errors.append(f"{page.url}: {msg.text}"))
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    try:
        assert_headers(page.goto(f"{live_server.url}/login/"), "/login/")
        login(page, live_server, username, DEMO_PASSWORD)
        assert "/login/" not in page.url and "/otp/" not in page.url, page.url
        links = page.locator("nav.sidebar a.nav-link, .user-menu a").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        assert len(links) >= 3, links
        seen = set()
        for href in links:
            if href in seen:
                continue
            seen.add(href)
            response = page.goto(live_server.url + href)
            assert_headers(response, href)
            assert response.status < 400, href
            page.wait_for_load_state("networkidle")
            # The page's own links one level down (lists → a detail, a form), same origin only.
            for sub in page.locator("main a[href^='/']").evaluate_all(
                "els => els.slice(0, 3).map(e => e.getAttribute('href'))"
            ):
                if sub in seen or "logout" in sub:
                    continue
                seen.add(sub)
                if urlparse(sub).path.endswith((".xlsx", ".csv", ".docx", ".pdf", ".zip")):
                    assert_headers(page.request.get(live_server.url + sub), sub)  # a download
                    continue
                response = page.goto(live_server.url + sub)
                assert_headers(response, sub)
                assert response.status < 500, sub
                if response.status >= 400:
                    refused.append(f"{page.url}: Failed to load resource")
                page.wait_for_load_state("networkidle")
        assert [e for e in errors if not e.startswith(tuple(refused))] == []
    finally:
        context.close()
