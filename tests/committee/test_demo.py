"""The demo: committees giving each verdict, and a meeting whose decisions are tasks on the board."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from liangxin.accounts.models import User
from liangxin.committee.models import Meeting


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_demo_has_committees_with_every_verdict_and_a_meeting_on_the_board(city, client):
    call_command("demo", stdout=StringIO())
    data = run("committees", "--as-of", "2022-05-31")
    committees = {c["name"]: c for c in data["committees"]}
    assert committees["物流行业党委"]["owner_unit"] == "交通运输局"
    assert len(committees) >= 4
    assert {c["verdict"] for c in committees.values()} == {"发挥作用明显", "一般", "待加强"}
    assert {"工信局", "商务局"} <= {m["unit"] for m in data["missing"]}
    assert "交通运输局" not in {m["unit"] for m in data["missing"]}

    meetings = run("meetings", "--year", "2022", "--as-of", "2022-05-31")["meetings"]
    decisions = [d for m in meetings for d in m["decisions"] if d["task_code"]]
    assert len(decisions) >= 2
    board = {
        t["code"]: t for t in run("dispatch_status", "--period", "2022-05", "--as-of", "2022-05-31")["tasks"]
    }
    for d in decisions:
        assert board[d["task_code"]]["light"] == d["light"]
        assert board[d["task_code"]]["lead"] == d["lead"]
    assert {d["light"] for d in decisions} == {"done", "yellow"}

    client.force_login(User.objects.get(username="office"))
    page = client.get(reverse("committee:industry") + "?as_of=2022-05-31").content.decode()
    assert all(label in page for label in ("发挥作用明显", "一般", "待加强"))
    meeting = Meeting.objects.get()
    page = client.get(reverse("committee:meeting_detail", args=[meeting.pk])).content.decode()
    assert decisions[0]["task_code"] in page
    jiaotong = User.objects.filter(member_unit__name="交通运输局").first()
    client.force_login(jiaotong)
    page = client.get(reverse("committee:industry") + "?as_of=2022-05-31").content.decode()
    assert "物流行业党委" in page and "快递行业党委" not in page
