"""Two people editing the same organization: the second saver sees what the first changed, and
neither edit is lost in silence."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from liangxin.registry.forms import OrganizationForm
from liangxin.registry.models import Organization
from tests.factories import make_user
from tests.registry.factories import make_org

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def clock():
    with time_machine.travel("2024-03-05 09:00 +0800", tick=True):
        yield


@pytest.fixture
def org(city):
    return make_org("吉州区锁测试机械有限公司", party_members=2, employees=40, address="吉州区人民路1号")


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(client, org, user, **changes) -> dict:
    """What the edit page shows, as the browser posts it back, with `changes` typed in."""
    page = client.get(reverse("registry:organization_edit", args=[org.pk])).content.decode()
    values = OrganizationForm.initial_for(Organization.objects.get(pk=org.pk), user)
    values = {k: v for k, v in values.items() if v not in (None, False)}
    values["version"] = re.search(r'name="version" value="([^"]*)"', page).group(1)
    return values | changes


def test_the_second_editor_is_told_what_changed_and_nothing_is_overwritten(org, city):
    zhang, li = (
        make_user("jz_zhang", role="county", region="360802"),
        make_user("jz_li", role="county", region="360802"),
    )
    a, b = _browser(zhang), _browser(li)
    url = reverse("registry:organization_edit", args=[org.pk])
    zhang_form, li_form = _form(a, org, zhang), _form(b, org, li)
    assert zhang_form["version"] == li_form["version"]

    assert a.post(url, zhang_form | {"party_members": "5"}).status_code == 302
    second = b.post(url, li_form | {"address": "吉州区人民路8号"})
    page = second.content.decode()
    assert second.status_code == 200
    assert "jz_zhang" in page and "修改并保存了该组织的信息" in page and "您的内容没有保存" in page
    table = page[page.index("data-edit-conflict") : page.index("</table>", page.index("data-edit-conflict"))]
    assert "正式党员数" in table and ">5<" in table and ">2<" in table
    assert "地址" in table and "吉州区人民路1号" in table and "吉州区人民路8号" in table
    assert 'value="吉州区人民路8号"' in page  # li's input is still in the form
    org.refresh_from_db()
    assert (org.party_members, org.address) == (5, "吉州区人民路1号")

    # li keeps zhang's count and saves the address: a deliberate save on the new version.
    version = re.search(r'name="version" value="([^"]*)"', page).group(1)
    again = b.post(url, li_form | {"party_members": "5", "address": "吉州区人民路8号", "version": version})
    assert again.status_code == 302
    org.refresh_from_db()
    assert (org.party_members, org.address) == (5, "吉州区人民路8号")


def test_an_edit_after_a_save_that_changed_nothing_goes_through(org, city):
    zhang, li = (
        make_user("jz_zhang", role="county", region="360802"),
        make_user("jz_li", role="county", region="360802"),
    )
    a, b = _browser(zhang), _browser(li)
    url = reverse("registry:organization_edit", args=[org.pk])
    zhang_form, li_form = _form(a, org, zhang), _form(b, org, li)
    assert a.post(url, zhang_form).status_code == 302  # saved as it was
    assert b.post(url, li_form | {"employees": "55"}).status_code == 302
    org.refresh_from_db()
    assert org.employees == 55
