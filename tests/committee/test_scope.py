"""Outsider suites for every committee page and export: a member unit sees its own committees,
the meetings it attended and the activities it organized; another unit gets nothing (404)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from liangxin.committee.models import Meeting
from liangxin.core.models import MemberUnit
from tests.committee.factories import make_activity, make_committee
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date


def units():
    return (
        make_user("jiaotong", role="member_unit", member_unit="交通运输局"),
        make_user("sifa", role="member_unit", member_unit="司法局"),
    )


def committee_case():
    committee = make_committee("物流行业党委", owner="交通运输局", industries=("G",))
    return (
        committee,
        "物流行业党委",
        {
            "detail_urls": [reverse("committee:industry_detail", args=[committee.pk])],
            "list_urls": [reverse("committee:industry")],
            "export_urls": [reverse("committee:industry") + "?format=csv"],
            "change_urls": [reverse("committee:industry_edit", args=[committee.pk])],
        },
    )


def meeting_case():
    meeting = Meeting.objects.create(name="物流专题会议", date=D(2022, 5, 20), kind="topic")
    meeting.attendees.add(MemberUnit.objects.get(name="交通运输局"))
    return (
        meeting,
        "物流专题会议",
        {
            "detail_urls": [reverse("committee:meeting_detail", args=[meeting.pk])],
            "list_urls": [reverse("committee:meetings")],
            "export_urls": [reverse("committee:meetings") + "?format=csv"],
            "change_urls": [
                reverse(name, args=[meeting.pk])
                for name in (
                    "committee:meeting_edit",
                    "committee:decision_create",
                    "committee:meeting_dispatch",
                    "committee:meeting_attachment",
                )
            ],
        },
    )


def activity_case():
    committee = make_committee("物流行业党委", owner="交通运输局", industries=("G",))
    activity = make_activity(committee, D(2022, 5, 4))
    activity.title = "物流行业青年理论宣讲"
    activity.save()
    return (
        activity,
        "物流行业青年理论宣讲",
        {
            "list_urls": [reverse("committee:activities")],
            "export_urls": [reverse("committee:activities") + "?format=csv"],
            "change_urls": [reverse("committee:activity_edit", args=[activity.pk])],
        },
    )


def missing_case():
    unit = MemberUnit.objects.get(name="交通运输局")
    assert unit.industries.exists()
    return (
        unit,
        "交通运输局",
        {
            "list_urls": [reverse("committee:missing")],
            "export_urls": [reverse("committee:missing") + "?format=csv"],
            "change_urls": [reverse("committee:missing_propose", args=[unit.pk])],
        },
    )


@pytest.mark.django_db
class TestCommitteePagesAreScoped(OutsiderGetsNothing):
    """Committees, meetings, activities and 应成立未成立: 交通运输局's, not 司法局's."""

    @pytest.fixture(params=[committee_case, meeting_case, activity_case, missing_case])
    def scope_case(self, request, city):
        obj, marker, urls = request.param()
        insider, outsider = units()
        return ScopeCase(obj=obj, insider=insider, outsider=outsider, marker=marker, **urls)


@pytest.mark.django_db
def test_a_county_sees_the_committees_of_its_region_and_not_anothers(city, client):
    from liangxin.core.models import Region
    from liangxin.coverage.models import PartyOrganization

    committee = make_committee("泰和县物流行业党委", owner="交通运输局", industries=("G",))
    party_org = committee.party_org
    party_org.region = Region.objects.get(code="360826")
    party_org.copy_ancestor_codes(party_org.region)
    party_org.save()
    taihe = make_user("taihe", role="county", region="360826")
    jizhou = make_user("jizhou", role="county", region="360802")
    url = reverse("committee:industry_detail", args=[committee.pk])
    from tests.dispatch.factories import make_task

    make_task("1", lead="交通运输局", title="交通运输局独自牵头的任务", start=D(2026, 1, 1))
    make_task(
        "2", lead="交通运输局", units=("泰和县委组织部",), title="泰和县参与的任务", start=D(2026, 1, 1)
    )
    client.force_login(taihe)
    page = client.get(url + "?as_of=2026-05-31").content.decode()
    assert "泰和县参与的任务" in page and "交通运输局独自牵头的任务" not in page  # tasks as on its board
    client.force_login(jizhou)
    assert client.get(url).status_code == 404
    assert "泰和县物流行业党委" not in client.get(reverse("committee:industry")).content.decode()
    assert PartyOrganization.objects.restrict(jizhou).filter(pk=party_org.pk).count() == 0


@pytest.mark.django_db
def test_the_office_proposes_a_task_for_a_missing_committee_in_one_step(city, client):
    import time_machine

    from liangxin.dispatch.models import Task

    office = make_user("office", role="office")
    unit = MemberUnit.objects.get(name="交通运输局")
    client.force_login(office)
    with time_machine.travel(datetime.datetime(2022, 5, 10, 10, tzinfo=datetime.UTC)):
        client.post(reverse("committee:missing_propose", args=[unit.pk]))
        page = client.get(reverse("committee:missing")).content.decode()
    task = Task.objects.get(lead=unit)
    assert task.plan.year == 2022 and "交通运输局" in task.title and task.deadline == D(2022, 12, 31)
    assert "已列入本年度重点任务" in page
