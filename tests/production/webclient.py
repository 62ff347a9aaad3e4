"""A small real HTTP client for a served site (the fault tests and `bench/bench_burst.py`): a
cookie jar, the CSRF token from the last page, no redirects followed (the caller sees 302)."""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


@dataclass
class Page:
    status: int
    text: str
    location: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str, timeout: float = 60.0):
        if not base.startswith(("http://", "https://")):
            raise ValueError(f"not a web address: {base}")
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.csrf = ""

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                page = Page(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            page = Page(exc.code, exc.read().decode("utf-8", "replace"), exc.headers.get("Location", ""))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token:
            self.csrf = token.group(1)
        return page

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 (http base, checked)

    def post(self, path: str, data: dict) -> Page:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, **data}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310
        request.add_header("Referer", self.base + path)
        return self._open(request)

    def login(self, username: str, password: str) -> Page:
        self.get("/login/")
        page = self.post("/login/", {"username": username, "password": password})
        if page.status != 302:
            raise AssertionError(f"{username} 登录失败：HTTP {page.status}")
        return page


def wait_until_up(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/login/", timeout=5):  # noqa: S310 (loopback)
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
