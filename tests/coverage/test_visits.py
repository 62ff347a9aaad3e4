"""Instructor visits: recorded by the instructor (or for them), counted into 有效工作覆盖率 beside
the unchanged official 工作覆盖率; instructors without recent visits are listed."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liangxin.core.models import AuditLog
from liangxin.coverage import effective, engine
from liangxin.coverage.models import Assignment, Formation, Instructor, Visit
from liangxin.registry.models import Organization
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date
MAY_31 = D(2022, 5, 31)


@pytest.fixture(autouse=True)
def june_first():
    with time_machine.travel(datetime.datetime(2022, 6, 1, 9, tzinfo=datetime.UTC)):
        yield


def visit(instructor, org, day, **fields):
    return Visit.objects.create(
        instructor=instructor, organization=org, visited_on=day, work_done="指导", **fields
    )


def totals(as_of=MAY_31):
    _, total = effective.effective_work(Organization.objects.all(), as_of=as_of)
    return total


@pytest.mark.django_db
class TestEffectiveWork:
    def test_only_a_work_covered_organization_with_a_recent_visit_by_its_instructor_counts(self, city):
        visited, stale, other, never = (make_org(n) for n in ("走访过", "走访太早", "别人走访", "从未走访"))
        single = make_org("有支部", members=5)
        make_party_org("有支部党支部", single)
        mine = make_instructor("王指导", visited, stale, other, never)
        someone = make_instructor("李指导", phone="13900000000")
        visit(mine, visited, D(2022, 3, 3))  # the 90th day counting back from 31 May
        visit(mine, stale, D(2022, 3, 2))
        visit(someone, other, D(2022, 5, 1))  # not assigned to them
        total = totals()
        assert (total.total, total.covered, total.work, total.effective_work) == (5, 1, 4, 1)
        assert total.effective_work_rate == effective.ratio(2, 5) and total.work_rate == effective.ratio(5, 5)

    def test_the_official_figures_are_unchanged_by_visits(self, city):
        orgs = [make_org(f"组织{i}") for i in range(3)]
        instructor = make_instructor("王指导", *orgs)
        before = engine.coverage(Organization.objects.all(), as_of=MAY_31).total
        visit(instructor, orgs[0], D(2022, 5, 1))
        after = engine.coverage(Organization.objects.all(), as_of=MAY_31).total
        assert (
            (before.work_rate, before.work)
            == (after.work_rate, after.work)
            == (engine._rate(3, 3, "0.0001"), 3)
        )
        assert totals().work == after.work

    def test_a_visit_after_the_assignment_ended_does_not_count(self, city):
        org = make_org("甲")
        instructor = make_instructor("王指导", org)
        Assignment.objects.update(ends_on=D(2022, 5, 1))
        visit(instructor, org, D(2022, 5, 10))
        assert totals().effective_work == 0


ORG_FACTS = st.lists(
    st.tuples(
        st.sampled_from(["none", "single", "joint"]),  # party organization
        st.booleans(),  # an instructor assigned
        st.one_of(st.none(), st.integers(min_value=0, max_value=200)),  # a visit so many days before
        st.sampled_from(["360802001", "360803001"]),
    ),
    max_size=8,
)


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=ORG_FACTS)
def test_effective_work_coverage_never_exceeds_the_official_rate(city, facts):
    with transaction.atomic():  # each example on a clean slate
        _check_one_example(facts)
        transaction.set_rollback(True)


def _check_one_example(facts):
    instructor = make_instructor("王指导", phone="13800000001")
    for n, (party, assigned, days_before, region) in enumerate(facts):
        org = make_org(f"性质{n}", region=region, members=5 if party == "single" else 1)
        if party != "none":
            make_party_org(
                f"性质{n}党支部", org, formation=Formation.SINGLE if party == "single" else Formation.JOINT
            )
        if assigned:
            Assignment.objects.create(instructor=instructor, organization=org, starts_on=D(2020, 1, 1))
        if days_before is not None:
            visit(instructor, org, MAY_31 - datetime.timedelta(days=days_before))
    rows, total = effective.effective_work(Organization.objects.all(), as_of=MAY_31)
    official = engine.coverage(Organization.objects.all(), as_of=MAY_31)
    assert total.total == official.total.total and total.work == official.total.work
    for figures in [*rows, total]:
        if figures.total:
            assert figures.effective_work_rate <= figures.work_rate
    official_by_code = {r.code: r for r in official.rows}
    for r in rows:
        assert (r.covered + r.work) == official_by_code[r.code].covered + official_by_code[r.code].work


@pytest.mark.django_db
class TestRecordingAVisit:
    def _instructor_account(self):
        user = make_user("zdy", role="instructor", region="360802")
        org = make_org("快递网点")
        instructor = make_instructor("王指导", org, user=user)
        return user, instructor, org

    def test_an_instructor_records_a_visit_to_an_organization_assigned_to_them(self, city, client_for):
        user, instructor, org = self._instructor_account()
        make_org("别处公司")
        client = client_for(user)
        form = client.get("/coverage/visits/new/").content.decode()
        assert "快递网点" in form and "别处公司" not in form
        response = client.post(
            "/coverage/visits/new/",
            {
                "visited_on": "2022-05-20",
                "organization": org.pk,
                "work_done": "指导建立党员活动室",
                "problems": "场地小",
            },
        )
        assert response.status_code == 302
        saved = Visit.objects.get()
        assert (saved.instructor, saved.organization, saved.visited_on, saved.problems) == (
            instructor, org, D(2022, 5, 20), "场地小",
        )  # fmt: skip
        assert AuditLog.objects.filter(action="coverage.visit.recorded", actor=user).exists()
        assert "指导建立党员活动室" in client.get("/coverage/visits/").content.decode()

    def test_bad_input_is_refused_with_a_reason(self, city, client_for):
        user, _, org = self._instructor_account()
        client = client_for(user)
        future = client.post(
            "/coverage/visits/new/", {"visited_on": "2022-06-05", "organization": org.pk, "work_done": "x"}
        )
        assert "走访日期不能晚于今天" in future.content.decode()
        before = client.post(
            "/coverage/visits/new/", {"visited_on": "2019-05-05", "organization": org.pk, "work_done": "x"}
        )
        assert "不在王指导的指导范围内" in before.content.decode()
        empty = client.post(
            "/coverage/visits/new/", {"visited_on": "2022-05-05", "organization": org.pk, "work_done": " "}
        )
        assert empty.status_code == 200 and not Visit.objects.exists()

    def test_an_account_without_an_instructor_record_is_told_so(self, city, client_for):
        response = client_for(make_user("zdy2", role="instructor", region="360802")).get(
            "/coverage/visits/new/"
        )
        assert response.status_code == 404

    def test_a_county_records_a_visit_for_its_instructor(self, city, client_for):
        org = make_org("吉州公司")
        instructor = make_instructor("王指导", org)
        county = make_user("qx360802", role="county", region="360802")
        client_for(county).post(
            f"/coverage/instructors/{instructor.pk}/visit/",
            {"visited_on": "2022-05-20", "organization": org.pk, "work_done": "座谈"},
        )
        assert Visit.objects.get().created_by == county


@pytest.mark.django_db
class TestInstructorsWithoutVisits:
    def test_they_are_listed_and_counted_in_health_json(self, city, office, client_for):
        a, b = make_org("甲"), make_org("乙")
        busy = make_instructor("勤快指导员", a, phone="13900000001")
        make_instructor("懒散指导员", b, phone="13900000002")
        make_instructor("未派驻指导员", phone="13900000003")
        visit(busy, a, D(2022, 5, 1))
        rows = effective.instructors_without_visits(Instructor.objects.all(), as_of=MAY_31)
        assert [i.name for i in rows] == ["懒散指导员"]
        page = client_for(office).get("/coverage/instructors/idle/?as_of=2022-05-31").content.decode()
        assert "懒散指导员" in page and "勤快指导员" not in page and "从未走访" in page
        out = io.StringIO()
        call_command("health", "--as-of=2022-05-31", "--json", stdout=out)
        data = json.loads(out.getvalue())
        assert data["instructors_without_visits"] == 1
        assert data["effective_work_rate"] == 0.5  # 1 of 2 organizations

    def test_the_effective_page_shows_both_rates_side_by_side(self, city, office, client_for):
        a, b = make_org("甲"), make_org("乙")
        busy = make_instructor("勤快指导员", a, b)
        visit(busy, a, D(2022, 5, 1))
        page = client_for(office).get("/coverage/overview/effective/?as_of=2022-05-31").content.decode()
        assert "工作覆盖率（官方口径）" in page and "100.0%" in page and "50.0%" in page


class TestVisitPagesAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        org = make_org("古南街道走访专属公司")
        instructor = make_instructor("古南街道专属指导员", org)
        made = visit(instructor, org, D(2022, 5, 1), problems="古南街道专属问题")
        return ScopeCase(
            obj=made,
            insider=make_user("qx360802", role="county", region="360802"),
            outsider=make_user("qx360803", role="county", region="360803"),
            marker="古南街道",
            detail_urls=[f"/coverage/instructors/{instructor.pk}/visit/"],
            list_urls=[
                "/coverage/visits/?as_of=2022-05-31",
                "/coverage/instructors/idle/?as_of=2022-12-31",
            ],
            export_urls=[
                "/coverage/visits/?as_of=2022-05-31&format=csv",
                "/coverage/instructors/idle/?as_of=2022-12-31&format=csv",
            ],
            change_urls=[f"/coverage/instructors/{instructor.pk}/visit/"],
        )


@pytest.mark.django_db
def test_the_effective_page_counts_only_the_users_organizations(city, client_for):
    make_instructor("吉州指导员", make_org("吉州公司"))
    make_org("青原公司", region="360803001")
    outsider = client_for(make_user("qx360803", role="county", region="360803"))
    page = outsider.get("/coverage/overview/effective/?as_of=2022-05-31&format=csv")
    text = b"".join(page.streaming_content).decode() if page.streaming else page.content.decode()
    assert "青原区" in text and "吉州区" not in text
