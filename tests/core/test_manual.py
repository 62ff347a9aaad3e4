"""The user manual, served offline: each role lands on its own part and can read the others."""

import pytest
from django.urls import reverse

from tests.factories import make_user


@pytest.mark.parametrize(
    ("role", "fields", "heading"),
    [
        ("office", {}, "<h2>工委办公室</h2>"),
        ("member_unit", {"member_unit": "交通运输局"}, "<h2>成员单位</h2>"),
        ("township", {"region": "360802001"}, "<h2>县（市、区）、乡镇（街道）、园区</h2>"),
        ("instructor", {}, "<h2>党建指导员</h2>"),
        ("auditadmin", {}, "<h2>系统管理员、安全管理员、审计管理员（三员分立）</h2>"),
    ],
)
def test_each_role_opens_its_own_manual(city, client_for, role, fields, heading):
    client = client_for(make_user(f"u-{role}", role=role, **fields))
    page = client.get(reverse("core:manual")).content.decode()
    assert heading in page
    assert reverse("core:manual_for", args=["office"]) in page  # the others are a click away
    assert "使用手册" in client.get(reverse("home")).content.decode()  # linked from every page


def test_another_roles_manual_and_an_unknown_one(city, client_for, office):
    client = client_for(office)
    assert "本月填报" in client.get(reverse("core:manual_for", args=["member_unit"])).content.decode()
    assert client.get(reverse("core:manual_for", args=["nobody"])).status_code == 404


def test_the_manual_needs_a_login(city, client):
    assert client.get(reverse("core:manual")).status_code == 302
