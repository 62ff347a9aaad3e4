"""Must show (issue 20): on the demo data as of 2022-05-31 the health list flags the branches
rated 差 and those that did not hold 三会一课, and `liangxin health --json` counts them as a
count made by hand over the inspections does."""

import datetime
import io
import json
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from liangxin.coverage.models import BranchInspection, Formation, PartyOrganization

MAY_31 = datetime.date(2022, 5, 31)
APRIL_1 = datetime.date(2022, 4, 1)
pytestmark = pytest.mark.django_db  # the session database is set up for the fixture


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        call_command("demo", stdout=io.StringIO())
        out = io.StringIO()
        call_command("health", "--as-of=2022-05-31", "--json", stdout=out)
        branches = {
            p.pk: p.name
            for p in PartyOrganization.objects.filter(formation=Formation.JOINT)
            if (p.founded_on or p.recorded_on) <= MAY_31 and not (p.dissolved_on and p.dissolved_on <= MAY_31)
        }
        inspections = defaultdict(list)
        for i in BranchInspection.objects.filter(inspected_on__lte=MAY_31).order_by("inspected_on", "id"):
            inspections[i.party_org_id].append(i)
        transaction.set_rollback(True)
    cache.clear()
    return json.loads(out.getvalue()), branches, inspections


def test_the_branches_rated_poor_are_flagged_and_counted_as_by_hand(demo):
    data, branches, inspections = demo
    by_hand = {
        branches[pk] for pk, found in inspections.items() if pk in branches and found[-1].rating == "poor"
    }
    flagged = {p["name"] for p in data["party_orgs"] if any(f["code"] == "poor_rating" for f in p["flags"])}
    assert flagged == by_hand
    assert data["flags"]["poor_rating"] == len(by_hand) > 0  # the issue counted 54 on the demo of its day


def test_the_branches_without_meetings_this_quarter_are_flagged_and_counted_as_by_hand(demo):
    data, branches, inspections = demo
    by_hand = set()
    for pk, found in inspections.items():
        quarter = [i for i in found if i.inspected_on >= APRIL_1]
        if pk in branches and quarter and not quarter[-1].meetings_held:
            by_hand.add(branches[pk])
    flagged = {
        p["name"] for p in data["party_orgs"] if any(f["code"] == "meetings_not_held" for f in p["flags"])
    }
    assert flagged == by_hand
    assert data["flags"]["meetings_not_held"] == len(by_hand) > 0  # the issue counted 85


def test_the_issues_example_is_flagged_for_its_rating_with_the_date(demo):
    data, _, _ = demo
    example = next(p for p in data["party_orgs"] if p["name"].startswith("习溪桥") and "第1联合党支部" in p["name"]
                   and any(f["code"] == "poor_rating" for f in p["flags"]))  # fmt: skip
    poor = next(f for f in example["flags"] if f["code"] == "poor_rating")
    assert poor["since"] == "2022-04-26" and "差" in poor["reason"]
    assert example["county"] == "吉州区"
