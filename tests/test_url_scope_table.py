"""The shared role × action suite: every URL pattern of the site has an entry here, and every
page that reads or writes one row is requested by each role on a row inside and outside its
scope. A new URL pattern without an entry fails `test_every_url_pattern_has_an_entry`.

The expectations are written out by hand per model (who may view, who may change) — they are
the rule of README “Jurisdiction and personal data”, not computed from `restrict`, so a wrong
scope rule fails here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from liangxin.brands import services as brand_services
from liangxin.brands.models import Brand, Level
from liangxin.committee.models import Meeting
from liangxin.core.models import AuditLog, MemberUnit, Region
from liangxin.coverage.models import DispatchedSecretary, Formation, Rectification
from liangxin.dispatch.models import Report
from liangxin.integration.models import Assessment
from liangxin.pairings.models import Pairing
from liangxin.registry.models import FollowUp
from tests.committee.factories import make_activity, make_committee
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.dispatch.factories import make_period, make_task
from tests.factories import make_area, make_user
from tests.workforce.factories import jpeg_with_gps, make_report, make_station


@dataclass(frozen=True)
class Exempt:
    reason: str


@dataclass(frozen=True)
class Listed:
    """A list, export or figure page: proven by an outsider suite (tests.scoping)."""

    where: str


@dataclass(frozen=True)
class Row:
    """A page reading (``view``) or writing (``change``/``delete``) one row of `thing`."""

    thing: str
    action: str
    method: str = "get"


OFFICE_ONLY = Exempt("工委办公室 only (role_required): no other role reaches it; tested in its app")
URLS: dict[str, Exempt | Listed | Row] = {
    "home": Exempt("the user's own home page: counts through restrict(user)"),
    "login": Exempt("anonymous"),
    "logout": Exempt("the user's own session"),
    "not_built": Exempt("a static notice"),
    "data_import": Exempt(
        "upload form; writes go through the services' change scope (test_scope_escalations)"
    ),
    "data_import_job": Row("import_job", "view"),
    "data_import_confirm": Row("import_job", "change", "post"),
    "data_import_errors": Exempt("the uploader's own job, as data_import_job (404 for anyone else)"),
    "accounts:password_change": Exempt("the user's own password"),
    "accounts:users": Exempt("安全管理员 only; accounts are not jurisdiction-bound (tests/accounts)"),
    "accounts:user_create": Exempt("安全管理员 only (tests/accounts)"),
    "accounts:user_edit": Exempt("安全管理员 only (tests/accounts)"),
    "accounts:user_reset_password": Exempt("安全管理员 only (tests/accounts)"),
    "accounts:user_unlock": Exempt("安全管理员 only (tests/accounts)"),
    "accounts:lockouts": Exempt("安全管理员 only; accounts are not jurisdiction-bound (tests/accounts)"),
    "accounts:user_reset_otp": Exempt("安全管理员 only (tests/accounts)"),
    "accounts:otp_manage": Exempt("the user's own second factor"),
    "accounts:otp_new_codes": Exempt("the user's own recovery codes"),
    "accounts:otp_setup": Exempt("the user's own second factor"),
    "accounts:otp_verify": Exempt("the user's own second factor"),
    "registry:organizations": Listed("tests/registry/test_pages.py::TestOrganizationsAreScopedByRegion"),
    "registry:organization_create": Exempt("a new row: admitted by Scope.admits (test_scope_escalations)"),
    "registry:organization_detail": Row("organization", "view"),
    "registry:organization_edit": Row("organization", "change"),
    "registry:organization_export": Listed(
        "tests/registry/test_pages.py::TestOrganizationsAreScopedByRegion"
    ),
    "registry:import_template": Exempt("a blank template"),
    "registry:followups": Listed("tests/registry/test_pages.py::TestFollowUpsAreScoped"),
    "registry:followup_close": Row("followup", "change"),
    "coverage:index": Exempt("a redirect to coverage:table"),
    "coverage:table": Listed("tests/coverage/test_pages_scope.py"),
    "coverage:organizations": Listed("tests/coverage/test_pages_scope.py"),
    "coverage:blindspots": Listed("tests/coverage/test_pages_scope.py"),
    "coverage:blindspot_list": Listed("tests/coverage/test_pages_scope.py"),
    "coverage:suggestions": Listed("tests/coverage/test_pages_scope.py"),
    "coverage:suggestion_accept": OFFICE_ONLY,
    "coverage:party_orgs": Listed("tests/coverage/test_pages_scope.py"),
    "coverage:party_org_create": Exempt("a new row: checked after the write (test_scope_escalations)"),
    "coverage:party_org_detail": Row("party_org", "view"),
    "coverage:party_org_edit": Row("party_org", "change"),
    "coverage:inspection_create": Row("party_org", "change"),
    "coverage:instructors": Listed("tests/coverage/test_pages_scope.py"),
    "coverage:instructor_create": Exempt("a new row: checked after the write"),
    "coverage:instructor_detail": Row("instructor", "view"),
    "coverage:instructor_edit": Row("instructor", "change"),
    "coverage:inspections": Listed("tests/coverage/test_pages_scope.py"),
    "coverage:health": Listed("tests/coverage/test_pages_scope.py"),
    "coverage:ledger_export": Listed("tests/coverage/test_pages_scope.py::TestLedgerExport"),
    "coverage:import_template": Exempt("a blank template"),
    "coverage:rectifications": Listed("tests/coverage/test_rectification.py::TestRectificationScope"),
    "coverage:rectification_close": Row("rectification", "change"),
    "coverage:secretary_create": Row("party_org", "change"),
    "coverage:secretary_end": Row("dispatched_secretary", "change"),
    "coverage:rectification_create": Row("party_org", "change"),
    "coverage:effective": Listed("tests/coverage/test_visits.py"),
    "coverage:quality": Listed("tests/coverage/test_terms_quality.py::TestQualityIsScoped"),
    "coverage:visits": Listed("tests/coverage/test_visits.py::TestVisitPagesAreScoped"),
    "coverage:visit_create": Exempt(
        "the acting instructor's own record (404 without one): tests/coverage/test_visits.py"
    ),
    "coverage:instructor_visit_create": Row("instructor", "change"),
    "coverage:idle_instructors": Listed("tests/coverage/test_visits.py::TestVisitPagesAreScoped"),
    "dispatch:index": Exempt("a redirect"),
    "dispatch:board": Listed("tests/dispatch/test_pages.py"),
    "dispatch:board_export": Listed("tests/dispatch/test_pages.py"),
    "dispatch:tasks": Listed("tests/dispatch/test_pages.py"),
    "dispatch:task_create": OFFICE_ONLY,
    "dispatch:task_detail": Row("task", "view"),
    "dispatch:task_edit": Row("task", "change"),
    "dispatch:plan_settings": OFFICE_ONLY,
    "dispatch:plan_confirm": OFFICE_ONLY,
    "dispatch:chase": Listed("tests/dispatch/test_chase.py"),
    "dispatch:chase_remind": OFFICE_ONLY,
    "dispatch:periods": OFFICE_ONLY,
    "dispatch:period_update": OFFICE_ONLY,
    "dispatch:period_unlock": OFFICE_ONLY,
    "dispatch:mine": Exempt("the acting unit's own tasks (tests/dispatch/test_pages.py)"),
    "dispatch:mine_workbook": Exempt("the acting unit's own tasks"),
    "dispatch:report_edit": Exempt(
        "the acting unit's own report: a task it is not assigned is a 404 (tests/dispatch)"
    ),
    "dispatch:report_detail": Row("report", "view"),
    "dispatch:report_accept": Row("report", "change", "post"),
    "dispatch:report_return": Row("report", "change", "post"),
    "dispatch:attachment": Exempt("through the report's view scope (get_restricted_or_404), tests/dispatch"),
    "dispatch:review": OFFICE_ONLY,
    "dispatch:notices": Listed("tests/dispatch/test_notices.py"),
    "dispatch:notice_read_all": Exempt("the acting unit's own notices"),
    "dispatch:notice_read": Listed("tests/dispatch/test_notices.py"),
    "documents:bulletins": Exempt("bulletins are city-wide public documents of the office (tests/documents)"),
    "documents:download": Exempt("a published city-wide bulletin"),
    "documents:period": Exempt("city-wide bulletin drafting, office (tests/documents)"),
    "documents:requirements": Exempt("city-wide bulletin drafting, office"),
    "documents:generate": Exempt("city-wide bulletin drafting, office"),
    "documents:publish": Exempt("city-wide bulletin drafting, office"),
    "documents:reopen": Exempt("city-wide bulletin drafting, office"),
    "documents:template": Exempt("the office's bulletin template: city-wide, not jurisdiction-bound"),
    "documents:template_reset": Exempt("the office's bulletin template"),
    "documents:template_upload": Exempt("the office's bulletin template"),
    "dashboard:index": Listed("tests/dashboard/test_cockpit.py"),
    "dashboard:screen": Exempt("the cockpit page without navigation: its charts are dashboard:data"),
    "dashboard:data": Listed("tests/dashboard/test_cockpit.py"),
    "dashboard:export": Listed("tests/dashboard/test_cockpit.py"),
    "pairings:list": Listed("tests/pairings/test_pairings.py::TestPairingPagesForAnOutsider"),
    "pairings:export": Listed("tests/pairings/test_pairings.py::TestPairingPagesForAnOutsider"),
    "pairings:totals": Listed("tests/pairings/test_pairings.py"),
    "pairings:create": Exempt("a new row: the organization must be the user's to change (tests/pairings)"),
    "pairings:detail": Row("pairing", "view"),
    "pairings:edit": Row("pairing", "change"),
    "pairings:delete": Row("pairing", "delete", "post"),
    "pairings:project_create": Row("pairing", "change", "post"),
    "pairings:villages": Listed("tests/pairings/test_pairings.py"),
    "pairings:village_key": OFFICE_ONLY,
    "pairings:import_template": Exempt("a blank template"),
    "workforce:stations": Listed("tests/workforce/test_pages_scope.py::TestStationsAreScoped"),
    "workforce:station_detail": Row("station", "view"),
    "workforce:station_create": Exempt(
        "a new row: admitted by Scope.admits (tests/workforce/test_station_form.py)"
    ),
    "workforce:station_edit": Row("station", "change"),
    "workforce:station_link": Row("station", "change", "post"),
    "workforce:station_qr": Row("station", "change"),
    "workforce:station_poster": Row("station", "change"),
    "workforce:import_template": Exempt("a blank template"),
    "workforce:posthouses": Listed("tests/workforce/test_pages_scope.py::TestPosthousesAreScoped"),
    "workforce:figures": Listed("tests/workforce/test_pages_scope.py::TestFiguresAreScoped"),
    "workforce:reports": Listed("tests/workforce/test_pages_scope.py::TestReportsAreScoped"),
    "workforce:stats": Listed("tests/workforce/test_pages_scope.py::TestReportsAreScoped"),
    "workforce:report_detail": Row("sentinel_report", "view"),
    "workforce:report_photo": Row("sentinel_report", "view"),
    "workforce:report_action": Exempt(
        "accept/close/hand-over of one report through restrict(user, 'change'): another township, "
        "county or member unit gets 404 (tests/workforce/test_handling.py)"
    ),
    "sentinel:form": Exempt(
        "a rider's form without an account, behind a station's secret link (tests/workforce)"
    ),
    "sentinel:receipt": Exempt(
        "one report under its own link and receipt only (tests/workforce/test_public_reports.py)"
    ),
    "sentinel:track": Exempt(
        "status of one report by its receipt number, no personal data (tests/workforce)"
    ),
    "integration:list": Listed("tests/integration/test_assessments.py::TestAssessmentPagesForAnOutsider"),
    "integration:export": Listed("tests/integration/test_assessments.py::TestAssessmentPagesForAnOutsider"),
    "integration:summary": Listed("tests/integration/test_assessments.py"),
    "integration:import_template": Exempt("a blank template"),
    "integration:create": Exempt(
        "a new row: the organization must be the user's to change (tests/integration)"
    ),
    "integration:detail": Row("assessment", "view"),
    "integration:edit": Row("assessment", "change"),
    "brands:index": Listed("tests/brands/test_campaign.py::TestBrandPagesForAnOutsider"),
    "brands:export": Listed("tests/brands/test_campaign.py::TestBrandPagesForAnOutsider"),
    "brands:campaign_create": OFFICE_ONLY,
    "brands:campaign_edit": OFFICE_ONLY,
    "brands:import_template": Exempt("a blank template"),
    "brands:report": Exempt("the acting unit's own report on the campaign's task (tests/brands)"),
    "brands:create": Exempt("a new row: the unit must be the user's to change (tests/brands)"),
    "brands:detail": Row("brand", "view"),
    "brands:edit": Row("brand", "change"),
    "brands:close": Row("brand", "change", "post"),
    "brands:reopen": Row("brand", "change", "post"),
    "brands:evidence_upload": Row("brand", "change", "post"),
    "brands:evidence_download": Exempt("through the brand's view scope (get_visible_or_404)"),
    "brands:revisits": Listed("tests/brands/test_campaign.py::TestBrandPagesForAnOutsider"),
    "brands:revisit_answer": Listed("tests/brands/test_campaign.py::TestBrandPagesForAnOutsider"),
    "core:regions": Listed("tests/core/test_reference_pages.py::TestRegionsAreScoped"),
    "core:region_detail": Row("region", "view"),
    "core:areas": Listed("tests/core/test_reference_pages.py::TestAreasAreScoped"),
    "core:area_create": Exempt("reference data: 工委办公室 and 系统管理员 only"),
    "core:area_edit": Row("area", "change"),
    "core:area_delete": Row("area", "delete", "post"),
    "core:member_units": Listed("tests/core/test_reference_pages.py"),
    "core:member_unit_create": Exempt("reference data: 工委办公室 and 系统管理员 only"),
    "core:member_unit_detail": Row("member_unit", "view"),
    "core:member_unit_edit": Row("member_unit", "change"),
    "core:manual": Exempt("the user manual: the same text for every signed-in user"),
    "core:manual_for": Exempt("the user manual: the same text for every signed-in user"),
    "core:audit_log": Exempt("审计管理员 only; the audit log is not jurisdiction-bound"),
    "core:audit_export": Exempt("审计管理员 only, as core:audit_log (tests/core/test_audit_page.py)"),
    "committee:industry": Listed("tests/committee/test_scope.py::TestCommitteePagesAreScoped"),
    "committee:industry_create": Exempt("a new row: the owner unit is admitted by Scope.admits (services)"),
    "committee:industry_detail": Row("committee", "view"),
    "committee:industry_edit": Row("committee", "change"),
    "committee:missing": Listed("tests/committee/test_scope.py::TestCommitteePagesAreScoped"),
    "committee:quality": Listed("tests/committee/test_quality.py::TestCommitteeQualityIsScoped"),
    "committee:missing_propose": OFFICE_ONLY,
    "committee:activities": Listed("tests/committee/test_scope.py::TestCommitteePagesAreScoped"),
    "committee:activity_create": Exempt("a new row: the organizer is admitted by Scope.admits (services)"),
    "committee:activity_edit": Row("activity", "change"),
    "committee:meetings": Listed("tests/committee/test_scope.py::TestCommitteePagesAreScoped"),
    "committee:meeting_create": OFFICE_ONLY,
    "committee:meeting_detail": Row("meeting", "view"),
    "committee:meeting_edit": Row("meeting", "change"),
    "committee:meeting_attachment": Listed("tests/committee/test_scope.py::TestCommitteePagesAreScoped"),
    "committee:decision_create": OFFICE_ONLY,
    "committee:meeting_dispatch": OFFICE_ONLY,
    "api:tokens": Exempt("安全管理员 only (role_required); tokens are not jurisdiction-bound (tests/api)"),
    "api:token_create": Exempt("安全管理员 only (role_required)"),
    "api:token_revoke": Exempt("安全管理员 only (role_required)"),
    "api:webhooks": Exempt("安全管理员 only (role_required); webhook endpoints are not jurisdiction-bound"),
    "api:webhook_deliveries": Exempt("安全管理员 only (role_required)"),
    "api_v1:registration": Exempt(
        "the registry's change scope, as an upsert (tests/api/test_registrations.py)"
    ),
    "api_v1:followup_figures": Exempt(
        "followups.figures over FollowUp.restrict(token user) (tests/api/test_registrations.py)"
    ),
    "api_v1:submit_report": Exempt(
        "the acting unit's own report, as dispatch:report_edit (tests/api/test_dispatch_scope.py, role by role)"
    ),
    "api_v1:api-root": Exempt("the API's root: no data"),
    "api_v1:unknown_address": Exempt("an address the API does not have: a problem document, no data"),
    "api_v1:openapi-json": Exempt("the OpenAPI document: no data"),
    "api_v1:openapi-view": Exempt("the API docs page: no data"),
    "api_v1:list_organizations": Listed("tests/api/test_organizations.py::TestTheApiIsScopedLikeThePages"),
    "api_v1:organization_detail": Listed("tests/api/test_organizations.py::TestTheApiIsScopedLikeThePages"),
    "api_v1:create_organization": Exempt(
        "a new row through the registry's change scope (tests/api: another county's code is refused)"
    ),
    "api_v1:upsert_organization": Exempt(
        "the registry's change scope (tests/api::test_a_county_token_cannot_write_another_county)"
    ),
    "api_v1:update_organization": Exempt(
        "the registry's change scope (tests/api::test_a_county_token_cannot_write_another_county)"
    ),
    "api_v1:coverage": Exempt(
        "engine.coverage over Organization.restrict(token user) (tests/api/test_figures.py)"
    ),
    "api_v1:blind_spots": Listed("tests/api/test_figures.py"),
    "api_v1:party_organizations": Listed(
        "tests/api/test_figures.py::TestPartyOrganizationsAndInstructorsAreScoped"
    ),
    "api_v1:instructors": Listed("tests/api/test_figures.py::TestPartyOrganizationsAndInstructorsAreScoped"),
    "api_v1:dispatch_status": Listed(
        "tests/api/test_dispatch_scope.py::TestTasksAndStatusAreScopedLikeTheBoard"
    ),
    "api_v1:tasks": Listed("tests/api/test_dispatch_scope.py::TestTasksAndStatusAreScopedLikeTheBoard"),
    "api_v1:task_detail": Listed("tests/api/test_dispatch_scope.py::TestTasksAndStatusAreScopedLikeTheBoard"),
    "api_v1:bulletins": Exempt("published bulletins are city-wide public documents (as documents:bulletins)"),
    "api_v1:bulletin_file": Exempt("a published city-wide bulletin (as documents:download)"),
    "api_v1:industry_committees": Listed("tests/api/test_ledgers.py::TestCommitteesAndMeetingsAreScoped"),
    "api_v1:committee_meetings_list": Listed("tests/api/test_ledgers.py::TestCommitteesAndMeetingsAreScoped"),
    "api_v1:workforce_figures": Exempt(
        "workforce.figures.workforce(token user) (tests/api/test_ledgers.py: a county counts its county)"
    ),
    "api_v1:stations": Listed("tests/api/test_ledgers.py::TestStationsAndSentinelReportsAreScoped"),
    "api_v1:sentinel_figures": Exempt(
        "workforce.stats.sentinel_stats(token user) (tests/api/test_ledgers.py: a county counts its county)"
    ),
    "api_v1:sentinel_reports": Listed("tests/api/test_ledgers.py::TestStationsAndSentinelReportsAreScoped"),
    "api_v1:pairings": Listed("tests/api/test_ledgers.py::TestPairingsAreScoped"),
    "api_v1:pairing_figures": Exempt(
        "pairing_totals over Pairing.restrict(token user), as pairings:totals (tests/api/test_ledgers.py)"
    ),
    "api_v1:assessments": Listed("tests/api/test_ledgers.py::TestAssessmentsAreScoped"),
    "api_v1:integration_summary": Exempt(
        "summarize over Assessment.restrict(token user), as integration:summary (tests/api/test_ledgers.py)"
    ),
    "api_v1:brands": Listed("tests/api/test_ledgers.py::TestBrandsAreScoped"),
    "api_v1:brand_status": Exempt(
        "campaign_status over Brand/MemberUnit.restrict(token user), as brands:index (tests/api/test_ledgers.py)"
    ),
    "api_v1:health_figures": Listed("tests/api/test_ledgers.py::TestHealthAndInspectionsAreScoped"),
    "api_v1:health_branches": Listed("tests/api/test_ledgers.py::TestHealthAndInspectionsAreScoped"),
    "api_v1:inspections": Listed("tests/api/test_ledgers.py::TestHealthAndInspectionsAreScoped"),
    "api_v1:bulk_upsert": Exempt("the registry's change scope, as an import (tests/api)"),
    "notify:preferences": Exempt(
        "the user's own settings; its recent deliveries: Notice.restrict(user) (tests/notify/test_pages.py)"
    ),
    "notify:deliveries": OFFICE_ONLY,
    "notify:robots": Exempt(
        "系统管理员 only (role_required); robot endpoints are system settings (tests/notify/test_robots.py)"
    ),
    "documents:assessment": OFFICE_ONLY,
    "documents:assessment_docx": OFFICE_ONLY,
    "documents:assessment_pdf": OFFICE_ONLY,
    "documents:assessment_xlsx": OFFICE_ONLY,
}


def url_names(patterns=None, namespace: str = "") -> list[str]:
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            names += url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_pattern_has_an_entry():
    names = url_names()
    missing = sorted(set(names) - set(URLS))
    assert not missing, f"URL patterns without an entry in the scope table: {missing}"
    stale = sorted(set(URLS) - set(names))
    assert not stale, f"entries for URL patterns that no longer exist: {stale}"


def test_every_listed_page_names_a_suite_that_exists():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for name, entry in URLS.items():
        if isinstance(entry, Listed):
            path, _, cls = entry.where.partition("::")
            text = (root / path).read_text(encoding="utf-8")
            assert "OutsiderGetsNothing" in text, (name, path)
            assert not cls or f"class {cls}(" in text, (name, entry.where)


# Who may view / change each kind of row of the world below (a row in 泰和县, supervised by
# 商务局, in 交通运输局's industry 54). The roles are the users of the `users` fixture.
EVERYONE_WORKING = {"office", "taihe", "jizhou", "shangwu", "jiaotong", "sifa", "zdy", "sysadmin"}
MAY = {
    ("organization", "view"): {"office", "taihe", "shangwu", "jiaotong"},
    ("organization", "change"): {"office", "taihe", "shangwu"},
    ("followup", "change"): {"office", "taihe", "shangwu"},
    ("party_org", "view"): {"office", "taihe", "jiaotong"},
    ("party_org", "change"): {"office", "taihe"},
    ("rectification", "change"): {"office", "taihe"},
    ("dispatched_secretary", "change"): {"office", "taihe"},
    ("instructor", "view"): {"office", "taihe", "jiaotong"},
    ("instructor", "change"): {"office", "taihe"},
    ("region", "view"): {"office", "taihe", "shangwu", "jiaotong", "sifa", "sysadmin"},
    ("area", "change"): {"office", "sysadmin"},
    ("area", "delete"): {"office", "sysadmin"},
    ("member_unit", "view"): {"office", "taihe", "sysadmin"},
    ("member_unit", "change"): {"office", "sysadmin"},
    ("task", "view"): {"office", "taihe"},
    ("task", "change"): {"office"},
    ("report", "view"): {"office", "taihe"},
    ("report", "change"): {"office"},
    ("import_job", "view"): {"taihe"},
    ("import_job", "change"): {"taihe"},
    ("station", "view"): {"office", "taihe"},
    ("station", "change"): {"office", "taihe"},
    ("sentinel_report", "view"): {"office", "taihe"},
    # 结对共建 and 五融入五提升 rows are seen and kept like the organization they belong to.
    ("pairing", "view"): {"office", "taihe", "shangwu", "jiaotong"},
    ("pairing", "change"): {"office", "taihe", "shangwu"},
    ("pairing", "delete"): {"office", "taihe", "shangwu"},
    ("assessment", "view"): {"office", "taihe", "shangwu", "jiaotong"},
    ("assessment", "change"): {"office", "taihe", "shangwu"},
    # A brand of 泰和县委组织部: seen and kept by its county (and the office).
    ("brand", "view"): {"office", "taihe"},
    ("brand", "change"): {"office", "taihe"},
    # 商务局's 行业党委 (its party organization in 泰和县) and its activity: a county sees the
    # committee of its region but only member units edit committees.
    ("committee", "view"): {"office", "taihe", "shangwu"},
    ("committee", "change"): {"office", "shangwu"},
    ("activity", "change"): {"office", "shangwu"},
    # A 工委会议 attended by 商务局 and 泰和县委组织部.
    ("meeting", "view"): {"office", "taihe", "shangwu"},
    ("meeting", "change"): {"office", "taihe", "shangwu"},
}


@pytest.fixture
def users(city):
    return {
        "office": make_user("office", role="office"),
        "taihe": make_user("taihe", role="county", region="360826"),
        "jizhou": make_user("jizhou", role="county", region="360802"),
        "shangwu": make_user("shangwu", role="member_unit", member_unit="商务局"),
        "jiaotong": make_user("jiaotong", role="member_unit", member_unit="交通运输局"),
        "sifa": make_user("sifa", role="member_unit", member_unit="司法局"),
        "zdy": make_user("zdy", role="instructor", region="360826"),
        "sysadmin": make_user("sysadmin", role="sysadmin"),
    }


@pytest.fixture
def world(users):
    from liangxin.core.models import ImportJob

    shangwu = MemberUnit.objects.get(name="商务局")
    org = make_org("泰和县顺达物流", region="360826100", industry_id="54", industry_section="G")
    org.supervising_unit = shangwu
    org.save()
    area = make_area("泰和工业园", "360826")
    party_org = make_party_org("泰和县物流联合支部", org, formation=Formation.JOINT, region="360826")
    instructor = make_instructor("泰和指导员", org, phone="13912340000")
    county_unit = MemberUnit.objects.get(name="泰和县委组织部")
    task = make_task("1", lead="泰和县委组织部", title="泰和县党建任务", start=datetime.date(2026, 1, 1))
    period = make_period("2026-11")
    report = Report.objects.create(task=task, unit=county_unit, period=period, state="submitted")
    job = ImportJob.objects.create(user=users["taihe"], filename="台账.xlsx")
    station = make_station("泰和网点", region="360826100", link=True)
    campaign = brand_services.open_campaign(
        2026,
        actor=None,
        units=[county_unit],
        deadline=datetime.date(2026, 12, 31),
        today=datetime.date(2026, 1, 1),
    )
    committee = make_committee("泰和县物流行业党委", owner="商务局", industries=("F",))
    committee.party_org.region = Region.objects.get(code="360826")
    committee.party_org.copy_ancestor_codes(committee.party_org.region)
    committee.party_org.save()
    meeting = Meeting.objects.create(name="2026年第一次工委会议", date=datetime.date(2026, 3, 2))
    meeting.attendees.set([shangwu, county_unit])
    return {
        "organization": org,
        "followup": FollowUp.objects.create(organization=org, kind="new", due_on="2030-01-01"),
        "party_org": party_org,
        "rectification": Rectification.objects.create(
            party_org=party_org, problem="三会一课未开展", opened_on="2026-01-05", due_on="2026-02-01"
        ),
        "dispatched_secretary": DispatchedSecretary.objects.create(
            party_org=party_org, name="刘派驻", sent_by="泰和县委组织部", starts_on="2026-01-05"
        ),
        "instructor": instructor,
        "region": org.region.parent,
        "area": area,
        "member_unit": county_unit,
        "task": task,
        "report": report,
        "import_job": job,
        "station": station,
        "sentinel_report": make_report(station, photo=jpeg_with_gps()),
        "pairing": Pairing.objects.create(
            organization=org, village=Region.objects.get(code="360826100001"), starts_on="2026-03-01"
        ),
        "brand": brand_services.save_brand(
            Brand(campaign=campaign, name="泰和红色物流", level=Level.ENTERPRISE, unit=county_unit),
            actor=None,
        ),
        "committee": committee,
        "activity": make_activity(committee, datetime.date(2026, 3, 1)),
        "meeting": meeting,
        "assessment": Assessment.objects.create(
            organization=org,
            year=2026,
            governance=4,
            business=4,
            operations=3,
            workers=4,
            ideology=5,
            assessor="评估组",
            assessed_on="2026-11-01",
        ),
    }


def _args(thing: str, obj) -> list:
    return [obj.code] if thing == "region" else [obj.pk]


ROW_URLS = sorted((name, entry) for name, entry in URLS.items() if isinstance(entry, Row))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "entry"), ROW_URLS, ids=[name for name, _ in ROW_URLS])
def test_each_role_reaches_a_row_page_exactly_when_the_rule_says(name, entry, users, world, client):
    obj = world[entry.thing]
    url = reverse(name, args=_args(entry.thing, obj))
    allowed = MAY[(entry.thing, entry.action)]
    # Refused roles first (the row must still be there); a deletion is done by one allowed role.
    order = sorted(users, key=lambda role: role in allowed)
    if entry.action == "delete":
        order = [role for role in order if role not in allowed] + [min(allowed)]
    for role in order:
        user = users[role]
        client.force_login(user)
        response = getattr(client, entry.method)(url)
        if role in allowed:
            assert response.status_code in (200, 302), (name, role, response.status_code)
        else:
            # 404 like a missing row; 403 where the role may not use the page at all.
            assert response.status_code in (403, 404), (name, role, response.status_code)
            if (
                response.status_code == 404
                and entry.action != "view"
                and role in MAY.get((entry.thing, "view"), set())
            ):
                # A row the user sees but may not change: the refusal is audited.
                assert AuditLog.objects.filter(action="core.access.denied", actor=user).exists(), (name, role)


@pytest.mark.django_db
def test_a_missing_row_and_another_countys_row_look_the_same(users, world, client):
    client.force_login(users["jizhou"])
    theirs = client.get(reverse("registry:organization_detail", args=[world["organization"].pk]))
    missing = client.get(reverse("registry:organization_detail", args=[999_999]))
    assert theirs.status_code == missing.status_code == 404
    for response in (theirs, missing):
        text = response.content.decode()
        assert "不在您的管辖范围内" in text and "泰和县顺达物流" not in text


@pytest.mark.django_db
# Pages of reference data and of dispatch are also limited by role (a county may not edit an
# area or accept a report whatever its region holds): the manager is compared where the page
# is the scope rule alone.
@pytest.mark.parametrize(
    "thing", ["organization", "party_org", "instructor", "followup", "pairing", "assessment"]
)
def test_the_scoped_manager_agrees_with_the_table(thing, users, world):
    obj = world[thing]
    model = type(obj)
    for action in ("view", "change", "delete"):
        allowed = MAY.get((thing, action)) or MAY.get((thing, "change" if action == "delete" else action))
        if allowed is None:
            continue
        for role, user in users.items():
            assert model.objects.restrict(user, action).filter(pk=obj.pk).exists() == (role in allowed), (
                thing,
                action,
                role,
            )


def test_no_user_gets_no_rows_of_any_scoped_model(world):
    from django.contrib.auth.models import AnonymousUser

    for thing, obj in world.items():
        manager = type(obj).objects
        if not hasattr(manager, "restrict"):
            continue
        assert manager.filter(pk=obj.pk).exists(), thing  # the row is there…
        for nobody in (None, AnonymousUser()):
            for action in ("view", "change", "delete"):
                assert not manager.restrict(nobody, action).exists(), (thing, action)  # …and not seen


@pytest.mark.django_db
def test_each_roles_api_token_reads_and_changes_a_row_exactly_when_the_rule_says(users, world):
    """The same rule through the API: a token is its account (a token cannot act as an
    administrator, so the system administrator has none)."""
    from django.test import Client

    from liangxin.api import tokens

    secadmin = make_user("secadmin", role="secadmin")
    org = world["organization"]
    url = f"/api/v1/organizations/{org.credit_code}"
    roles = sorted(set(users) - {"sysadmin"})
    for role in sorted(roles, key=lambda r: r in MAY[("organization", "change")]):
        _, secret = tokens.create_token(
            actor=None if role == "office" else secadmin,  # an office token is made on the server
            name=f"对接{role}",
            user=users[role],
            access="write",
            days=1,
            rate_per_minute=1000,
        )
        api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        read = api.get(url)
        if role in MAY[("organization", "view")]:
            assert read.status_code == 200 and read.json()["name"].startswith("泰和县顺达物流"), role
        else:
            assert read.status_code in (403, 404) and "顺达" not in read.content.decode(), (
                role,
                read.status_code,
            )
        write = api.patch(url, {"name": f"泰和县顺达物流{role}"}, content_type="application/json")
        org.refresh_from_db()
        if role in MAY[("organization", "change")]:
            assert write.status_code == 200 and org.name == f"泰和县顺达物流{role}", (role, write.status_code)
        else:
            assert write.status_code in (403, 404), (role, write.status_code)
            assert org.name == "泰和县顺达物流", role  # refused roles come first: nothing renamed yet
