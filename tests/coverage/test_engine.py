"""The coverage rules of domain.md §4, as a user of the figures would state them."""

import datetime

import pytest
from django.test import override_settings

from liangxin.coverage import engine
from liangxin.coverage.models import Assignment, CoverageLink, Formation
from liangxin.registry.models import Organization
from tests.coverage.factories import make_instructor, make_org, make_party_org

D = datetime.date
MAY = D(2022, 5, 31)
AUG = D(2022, 8, 31)


def statuses(as_of=MAY, scope="all"):
    qs = engine.organizations_with_status(Organization.objects.all(), as_of=as_of, scope=scope)
    return dict(qs.values_list("name", "coverage"))


def city_total(as_of=MAY, scope="all", **kwargs):
    return engine.coverage(Organization.objects.all(), as_of=as_of, scope=scope, **kwargs).total


@pytest.mark.django_db
class TestPrecedence:
    def test_it_ranks_single_over_joint_over_work_over_none(self, city):
        a = make_org("甲公司", members=5)
        b = make_org("乙公司", members=1)
        c = make_org("丙公司")
        make_org("丁公司")
        make_party_org("甲公司党支部", a)
        make_party_org("联合党支部", a, b, formation=Formation.JOINT)
        make_instructor("张指导", a, b, c)
        assert statuses() == {"甲公司": "single", "乙公司": "joint", "丙公司": "work", "丁公司": "none"}

    def test_an_instructor_does_not_turn_a_joint_covered_organization_into_work(self, city):
        b = make_org("乙公司", members=1)
        make_party_org("联合党支部", b, formation=Formation.JOINT)
        make_instructor("张指导", b)
        assert statuses() == {"乙公司": "joint"}


@pytest.mark.django_db
class TestDates:
    def test_a_branch_founded_in_july_does_not_cover_in_may_but_does_in_august(self, city):
        org = make_org("七月建支部公司", members=4)
        make_party_org("七月党支部", org, founded_on=D(2022, 7, 1))
        assert statuses(MAY) == {"七月建支部公司": "none"}
        assert statuses(AUG) == {"七月建支部公司": "single"}

    def test_a_branch_without_founding_date_covers_from_the_day_it_was_recorded(self, city):
        org = make_org("甲公司", members=4)
        make_party_org("甲党支部", org, founded_on=None, recorded_on=D(2022, 6, 15))
        assert statuses(MAY) == {"甲公司": "none"}
        assert statuses(AUG) == {"甲公司": "single"}

    def test_a_dissolved_branch_covers_nothing_after_its_dissolution(self, city):
        org = make_org("甲公司", members=4)
        make_party_org("甲党支部", org, dissolved_on=D(2022, 6, 1))
        assert statuses(MAY) == {"甲公司": "single"}
        assert statuses(AUG) == {"甲公司": "none"}

    def test_a_dissolved_branch_without_date_covers_nothing_at_all(self, city):
        org = make_org("甲公司", members=4)
        party_org = make_party_org("甲党支部", org)
        party_org.status = "dissolved"
        party_org.save()
        assert statuses(MAY) == {"甲公司": "none"}

    def test_links_and_assignments_count_only_between_their_dates(self, city):
        a = make_org("甲公司", members=4)
        b = make_org("乙公司")
        party_org = make_party_org("甲党支部", founded_on=D(2018, 1, 1), region="360802001")
        CoverageLink.objects.create(party_org=party_org, organization=a, starts_on=D(2022, 6, 1))
        instructor = make_instructor("张指导", region="360802001")
        Assignment.objects.create(
            instructor=instructor, organization=b, starts_on=D(2021, 1, 1), ends_on=D(2022, 5, 31)
        )
        assert statuses(D(2022, 5, 30)) == {"甲公司": "none", "乙公司": "work"}
        assert statuses(MAY) == {"甲公司": "none", "乙公司": "none"}
        assert statuses(D(2022, 6, 1)) == {"甲公司": "single", "乙公司": "none"}

    def test_a_deregistered_or_not_yet_founded_organization_is_not_counted(self, city):
        make_org("在业公司", status="operating")
        make_org("注销公司", status="cancelled")
        make_org("吊销公司", status="revoked")
        make_org("迁出公司", status="moved_out")
        make_org("六月成立公司", founded_on=D(2022, 6, 10))
        assert set(statuses(MAY)) == {"在业公司"}
        assert set(statuses(AUG)) == {"在业公司", "六月成立公司"}


@pytest.mark.django_db
class TestScopes:
    def test_sanyou_counts_enterprises_from_10_and_social_organizations_from_30(self, city):
        make_org("九人企业", employees=9)
        make_org("十人企业", employees=10)
        make_org("二十九人社会组织", kind="social", employees=29)
        make_org("三十人社会组织", kind="social", employees=30)
        make_org("人数不详企业")
        assert set(statuses(scope="三有")) == {"十人企业", "三十人社会组织"}

    @override_settings(LIANGXIN_SANYOU_ENTERPRISE_EMPLOYEES=5)
    def test_the_sanyou_threshold_is_configurable(self, city):
        make_org("九人企业", employees=9)
        assert set(statuses(scope="三有")) == {"九人企业"}

    def test_above_scale_and_tags_are_scopes(self, city):
        make_org("规上企业", above_scale=True)
        make_org("快递网点", tags=("快递",))
        make_org("普通企业")
        assert set(statuses(scope="规上")) == {"规上企业"}
        assert set(statuses(scope="tag:快递")) == {"快递网点"}
        assert city_total(scope="all").total == 3

    def test_an_unknown_scope_is_refused_with_a_chinese_message(self, city):
        with pytest.raises(engine.CoverageError, match="无法识别的统计范围"):
            engine.parse_scope("big")


@pytest.mark.django_db
class TestRatesAndRollup:
    def test_it_computes_the_three_rates_and_should_build(self, city):
        a = make_org("甲", members=5)
        b = make_org("乙", members=3)
        c = make_org("丙", members=1)
        make_org("丁", members=4)
        make_party_org("甲党支部", a)
        make_party_org("联合支部", b, c, formation=Formation.JOINT)
        total = city_total()
        assert (total.total, total.single, total.joint, total.work, total.none) == (4, 1, 2, 0, 1)
        assert (total.org_rate, total.single_rate, total.work_rate) == (0.75, 0.25, 0.75)  # exact fractions
        # 乙 (joint, 3 members) and 丁 (none, 4 members) should have their own branch.
        assert total.should_build == 2
        data = total.as_dict()
        assert data["org_rate"] == 0.75 and data["org_rate_pct"] == 75.0 and data["uncovered"] == 1

    def test_a_townships_organizations_count_in_its_county_and_city(self, city):
        a = make_org("古南甲", region="360802001", members=3)
        make_org("古南乙", region="360802001")
        make_org("永叔甲", region="360802002")
        make_org("青原甲", region="360803001")
        make_org("区直属", region="360802")
        make_party_org("古南甲党支部", a)
        by_county = engine.coverage(Organization.objects.all(), as_of=MAY)
        rows = {r.code: r for r in by_county.rows}
        assert rows["360802"].total == 4 and rows["360802"].single == 1
        assert rows["360803"].total == 1
        assert by_county.total.total == 5
        assert len(by_county.rows) == 13  # every county of 吉安市, even the empty ones
        county = city.children.get(code="360802")
        by_township = engine.coverage(Organization.objects.all(), as_of=MAY, region=county)
        rows = {r.code: r for r in by_township.rows}
        assert rows["360802001"].total == 2 and rows["360802001"].single == 1
        assert rows["360802002"].total == 1
        assert rows[""].total == 1 and rows[""].name == "未细分（直属）"
        assert by_township.total.total == 4 and by_township.total.name == "吉州区"

    def test_it_groups_by_industry_kind_and_tag(self, city):
        make_org("甲", industry_section="C")
        make_org("乙", industry_section="C", tags=("快递", "外卖"))
        make_org("丙", kind="social", tags=("快递",))
        by_kind = {
            r.code: r.total for r in engine.coverage(Organization.objects.all(), as_of=MAY, by="kind").rows
        }
        assert by_kind == {"enterprise": 2, "social": 1}
        by_industry = engine.coverage(Organization.objects.all(), as_of=MAY, by="industry")
        assert {r.code: r.total for r in by_industry.rows if r.total} == {"C": 2, "": 1}
        by_tag = engine.coverage(Organization.objects.all(), as_of=MAY, by="tag")
        assert {r.code: r.total for r in by_tag.rows} == {"快递": 2, "外卖": 1}
        assert by_tag.total.total == 3

    def test_it_counts_only_what_the_user_may_see(self, city):
        make_org("吉州甲", region="360802001")
        make_org("青原甲", region="360803001")
        visible = Organization.objects.filter(county_code="360803")
        assert engine.coverage(visible, as_of=MAY).total.total == 1

    def test_one_grouping_is_one_query(self, city, django_assert_num_queries):
        make_org("甲", members=3)
        county = city.children.get(code="360802")
        with django_assert_num_queries(2):  # the figures, the names of the rows
            engine.coverage(Organization.objects.all(), as_of=MAY, region=county)


@pytest.mark.django_db
class TestTwoWaysOfCounting:
    @staticmethod
    def changing_city():
        """24 organizations whose coverage changes over 2022 in every way the rules know."""
        orgs = [
            make_org(
                f"组织{i}",
                region=("360802001", "360802002", "360803001")[i % 3],
                members=i % 5,
                employees=5 * i,
                founded_on=D(2022, 6, 10) if i in (9, 10) else None,
            )
            for i in range(24)
        ]
        make_party_org("单独甲", orgs[0])
        make_party_org("单独乙", orgs[1], dissolved_on=D(2022, 3, 1))
        make_party_org("单独丙", orgs[2], founded_on=D(2022, 7, 1))
        make_party_org("单独丁", orgs[9], founded_on=D(2022, 6, 20))
        make_party_org("联合甲", orgs[0], orgs[3], orgs[4], formation=Formation.JOINT)
        make_party_org("联合乙", orgs[5], orgs[6], formation=Formation.JOINT, dissolved_on=D(2022, 8, 1))
        make_instructor("指导员", orgs[3], orgs[6], orgs[7], orgs[8], orgs[2])
        later = make_party_org(
            "后加联合", founded_on=D(2018, 1, 1), region="360803001", formation=Formation.JOINT
        )
        CoverageLink.objects.create(party_org=later, organization=orgs[11], starts_on=D(2022, 4, 15))
        CoverageLink.objects.create(party_org=later, organization=orgs[14], ends_on=D(2022, 6, 1))
        return orgs

    def test_row_by_row_and_set_by_set_give_the_same_figures(self, city):
        self.changing_city()
        for as_of in (MAY, AUG):
            in_scope = Organization.objects.filter(engine.in_scope_q(as_of))
            for fields in (("county_code",), ("township_code", "area_id")):
                row_by_row = engine._counts(in_scope, fields, as_of, narrow=True)
                set_by_set = engine._counts(in_scope, fields, as_of, narrow=False)
                assert row_by_row == set_by_set
                assert sum(f.total for f in row_by_row.values()) == (22 if as_of == MAY else 24)

    @pytest.mark.parametrize("scope", ["all", "三有"])
    def test_the_series_gives_on_each_date_the_total_of_the_table_on_that_date(self, city, scope):
        self.changing_city()
        days = [D(2022, 2, 28), D(2022, 3, 1), D(2022, 4, 30), MAY, D(2022, 6, 15), D(2022, 6, 30), AUG]
        county = city.children.get(code="360802")
        for region in (None, county):
            series = engine.coverage_series(
                Organization.objects.all(), dates=days, scope=scope, region=region
            )
            for day, point in zip(days, series, strict=True):
                table = engine.coverage(Organization.objects.all(), as_of=day, scope=scope, region=region)
                assert point.as_dict() | {"code": "", "name": ""} == table.total.as_dict() | {
                    "code": "",
                    "name": "",
                }, day
        for by in ("region", "kind", "industry"):
            tables = engine.coverage_tables(Organization.objects.all(), dates=days, scope=scope, by=by)
            for day, table in zip(days, tables, strict=True):
                expected = engine.coverage(Organization.objects.all(), as_of=day, scope=scope, by=by)
                assert table.as_dict() == expected.as_dict(), (day, by)
        by_township = engine.coverage_tables(Organization.objects.all(), dates=[MAY, AUG], region=county)
        assert [t.by for t in by_township] == ["township", "township"]
        assert (
            by_township[1].as_dict()
            == engine.coverage(Organization.objects.all(), as_of=AUG, region=county).as_dict()
        )
        points = engine.coverage_series(Organization.objects.all(), dates=[MAY, AUG])
        assert [p.total for p in points] == [22, 24]  # two are founded in June
        assert [p.single for p in points] == [1, 3]  # 单独丙 and 单独丁 are founded in the summer

    @pytest.mark.parametrize("scope", ["all", "三有"])
    def test_the_drilldown_on_two_days_at_once_equals_each_day_alone(self, city, scope):
        """The page's table and its change column come from one statement; a joint branch that
        spans two counties must count in each county as it does alone."""
        from django.db.models import Q

        self.changing_city()
        orgs = Organization.objects.all()
        days = [D(2022, 4, 30), MAY, D(2022, 6, 15), AUG]
        county = city.children.get(code="360802")
        township = county.children.get(code="360802001")
        for region in (city, county, township):
            for filters in (None, Q(party_members__gte=2)):
                both = engine.drilldowns(orgs, dates=days, scope=scope, region=region, filters=filters)
                for day, (table, parks) in zip(days, both, strict=True):
                    alone, alone_parks = engine.drilldown(
                        orgs, as_of=day, scope=scope, region=region, filters=filters
                    )
                    assert table.as_dict() == alone.as_dict(), (region.code, day, filters)
                    assert (parks and parks.as_dict()) == (alone_parks and alone_parks.as_dict())
        townships = engine.drilldowns(orgs, dates=[MAY, AUG], region=county)
        assert [t.total.total for t, _ in townships] == [14, 16]  # 组织9 and 组织10 founded in June

    def test_more_dates_than_one_statement_holds_give_the_same_points(self, city):
        self.changing_city()
        days = [D(2021, 1, 1) + datetime.timedelta(days=23 * k) for k in range(engine.SERIES_DATES + 3)]
        series = engine.coverage_series(Organization.objects.all(), dates=days)
        assert [p.as_dict() for p in series] == [
            engine.coverage(Organization.objects.all(), as_of=day).total.as_dict() for day in days
        ]

    def test_tables_by_tag_are_refused_with_a_chinese_message(self, city):
        with pytest.raises(engine.CoverageError, match="按标签分组"):
            engine.coverage_tables(Organization.objects.all(), dates=[MAY], by="tag")

    def test_the_drilldown_gives_townships_and_parks_from_one_query(self, city, django_assert_num_queries):
        from tests.factories import make_area

        park = make_area("古南商务楼宇", "360802001", kind="building")
        a = make_org("楼宇甲", region="360802001", area=park, members=3)
        make_org("楼宇乙", region="360802001", area=park)
        make_org("街道丙", region="360802002")
        make_party_org("楼宇甲党支部", a)
        county = city.children.get(code="360802")
        with django_assert_num_queries(3):  # figures, township names, park names
            townships, parks = engine.drilldown(Organization.objects.all(), as_of=MAY, region=county)
        assert {r.name: r.total for r in townships.rows if r.total} == {"古南街道": 2, "永叔街道": 1}
        assert [(r.name, r.total, r.single) for r in parks.rows] == [("古南商务楼宇", 2, 1)]
        assert townships.total.total == 3


def test_a_rate_is_rounded_once_from_the_exact_fraction():
    """101 of 162 is 62.3457%: one decimal from the exact value is 62.3%; rounded to four places
    first (0.6235) it became 62.4%, and the cockpit said 62.4% beside the bulletin's 62.3%."""
    from liangxin.core.rates import format_percent, percent_of

    figures = engine.Figures("360826", "泰和县", total=162, single=60, joint=30, work=11)
    assert format_percent(figures.work_rate) == "62.3%" == f"{percent_of(101, 162)}%"
    assert figures.as_dict()["work_rate"] == 0.6235  # JSON keeps four places
    assert figures.as_dict()["work_rate_pct"] == 62.3
