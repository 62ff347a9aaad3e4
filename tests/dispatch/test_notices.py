import datetime

import pytest
from django.urls import reverse

from liangxin.core.models import AuditLog
from liangxin.dispatch.models import Notice
from tests.dispatch.factories import make_period, unit
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase


@pytest.fixture
def may(city):
    return make_period("2022-05")


@pytest.fixture
def jiaotong(city):
    return make_user("jt", role="member_unit", member_unit="交通运输局")


@pytest.fixture
def minzheng(city):
    return make_user("mz", role="member_unit", member_unit="民政局")


def _notice(may, unit_name: str, kind: str, message: str, minutes: int = 0) -> Notice:
    notice = Notice.objects.create(
        unit=unit(unit_name), period=may, kind=kind, key=f"{kind}:{unit_name}:{message}", message=message
    )
    # created_at is auto_now_add: spread the notices out in time so "newest first" is observable
    Notice.objects.filter(pk=notice.pk).update(
        created_at=notice.created_at + datetime.timedelta(minutes=minutes)
    )
    return notice


def _rows(page: str) -> list[str]:
    """The messages of the notices table, in the order the page shows them."""
    return sorted((m for m in ("开启提醒", "催报提醒", "逾期提醒") if m in page), key=page.index)


def test_a_unit_sees_unread_notices_first_with_a_count_and_marks_one_then_all_read(may, jiaotong, client):
    first = _notice(may, "交通运输局", "opened", "开启提醒", minutes=0)
    chase = _notice(may, "交通运输局", "chase", "催报提醒", minutes=10)
    _notice(may, "交通运输局", "overdue", "逾期提醒", minutes=20)
    client.force_login(jiaotong)
    url = reverse("dispatch:notices")
    page = client.get(url).content.decode()
    assert "未读 3 条" in page
    assert _rows(page) == ["逾期提醒", "催报提醒", "开启提醒"]  # newest first

    client.post(reverse("dispatch:notice_read", args=[chase.pk]))
    chase.refresh_from_db()
    assert chase.read_at is not None
    page = client.get(url).content.decode()
    assert "未读 2 条" in page
    assert _rows(page) == ["逾期提醒", "开启提醒", "催报提醒"]  # the read one sinks below the unread
    assert "未读 2 条" in client.get(reverse("dispatch:mine") + "?period=2022-05").content.decode()
    unread_only = client.get(url + "?state=unread").content.decode()
    assert "催报提醒" not in unread_only and "开启提醒" in unread_only

    response = client.post(reverse("dispatch:notice_read_all"), follow=True)
    assert "已将 2 条提醒标为已读" in response.content.decode()
    assert not Notice.objects.filter(read_at__isnull=True).exists()
    assert "未读 0 条" in client.get(url).content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    assert AuditLog.objects.filter(action="dispatch.notice.read_all").exists()
    again = client.post(reverse("dispatch:notice_read_all"), follow=True)
    assert "没有未读提醒" in again.content.decode()


def test_marking_read_is_the_recipients_alone(may, jiaotong, minzheng, office, client):
    theirs = _notice(may, "交通运输局", "chase", "催报提醒")
    mine = _notice(may, "民政局", "chase", "民政局的催报")
    client.force_login(minzheng)
    assert client.post(reverse("dispatch:notice_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("dispatch:notice_read_all"))
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.read_at is None and mine.read_at is not None
    # The office sees what was sent and whether it was read, but does not read for a unit.
    client.force_login(office)
    page = client.get(reverse("dispatch:notices")).content.decode()
    assert "催报提醒" in page and "交通运输局" in page and "标为已读</button>" not in page
    assert client.post(reverse("dispatch:notice_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("dispatch:notice_read_all")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("dispatch:notice_read", args=[theirs.pk])).status_code == 405


def test_the_notices_page_has_empty_states(may, jiaotong, client):
    client.force_login(jiaotong)
    assert "暂无提醒" in client.get(reverse("dispatch:notices")).content.decode()
    _notice(may, "交通运输局", "chase", "催报提醒")
    filtered = client.get(reverse("dispatch:notices") + "?kind=overdue").content.decode()
    assert "没有符合条件的提醒" in filtered
    client.force_login(make_user("xz", role="township", region="360802001"))
    assert "没有对应的填报单位" in client.get(reverse("dispatch:notices")).content.decode()


class TestANoticeIsSeenAndReadOnlyByItsUnit(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, may, jiaotong, minzheng):
        notice = _notice(may, "交通运输局", "chase", "工委办公室催报：交通运输局请尽快报送")
        return ScopeCase(
            obj=notice,
            insider=jiaotong,
            outsider=minzheng,
            marker="交通运输局请尽快报送",
            list_urls=[reverse("dispatch:notices"), reverse("dispatch:mine") + "?period=2022-05"],
            change_urls=[reverse("dispatch:notice_read", args=[notice.pk])],
        )


class TestACountyReadsOnlyItsOrganizationDepartmentsNotices(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, may):
        notice = _notice(may, "吉州区委组织部", "overdue", "吉州区逾期提醒")
        return ScopeCase(
            obj=notice,
            insider=make_user("jz", role="county", region="360802"),
            outsider=make_user("qy", role="county", region="360803"),
            marker="吉州区逾期提醒",
            list_urls=[reverse("dispatch:notices")],
            change_urls=[reverse("dispatch:notice_read", args=[notice.pk])],
        )
