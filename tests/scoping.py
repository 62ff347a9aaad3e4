"""The shared outsider suite. Every endpoint that shows jurisdiction-bound data mixes this in.

A test class inherits `OutsiderGetsNothing` and defines a `scope_case` fixture returning a
`ScopeCase`: one row, a user whose jurisdiction holds it (insider) and a user of the same role
whose jurisdiction does not (outsider). The suite proves the insider sees it — so the test can
fail — and the outsider gets 404 on its detail pages, nothing of it in lists, counts and
exports, and 403/404 on every change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.test import Client


@dataclass
class ScopeCase:
    obj: models.Model
    insider: object
    outsider: object
    marker: str  # text that identifies the row on a page or in a file
    detail_urls: list[str] = field(default_factory=list)
    list_urls: list[str] = field(default_factory=list)
    export_urls: list[str] = field(default_factory=list)
    change_urls: list[str] = field(default_factory=list)  # POST endpoints that change the row
    # How a user's requests are sent: a logged-in browser by default; the API suite sends a
    # token acting as the user instead.
    client_factory: Callable[[object], Client] | None = None

    def client_for(self, user) -> Client:
        return (self.client_factory or _client)(user)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


class OutsiderGetsNothing:
    def test_the_insider_sees_the_row(self, scope_case: ScopeCase):
        client = scope_case.client_for(scope_case.insider)
        for url in scope_case.detail_urls + scope_case.list_urls + scope_case.export_urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert scope_case.marker in _body(response), url

    def test_the_outsider_gets_404_on_detail_pages(self, scope_case: ScopeCase):
        client = scope_case.client_for(scope_case.outsider)
        for url in scope_case.detail_urls:
            assert client.get(url).status_code == 404, url

    def test_the_outsider_sees_nothing_of_it_in_lists_and_exports(self, scope_case: ScopeCase):
        client = scope_case.client_for(scope_case.outsider)
        for url in scope_case.list_urls + scope_case.export_urls:
            response = client.get(url)
            assert response.status_code in (200, 403), url
            assert scope_case.marker not in _body(response), url

    def test_the_outsider_cannot_change_it(self, scope_case: ScopeCase):
        client = scope_case.client_for(scope_case.outsider)
        for url in scope_case.change_urls:
            assert client.post(url, {}).status_code in (403, 404), url

    def test_the_scoped_manager_hides_it_from_the_outsider(self, scope_case: ScopeCase):
        model = type(scope_case.obj)
        pk = scope_case.obj.pk
        assert model.objects.visible_to(scope_case.insider).filter(pk=pk).count() == 1
        assert model.objects.visible_to(scope_case.outsider).filter(pk=pk).count() == 0
