from django.urls import path
from django.views.generic import RedirectView

from liangxin.coverage import (
    views,
    views_health,
    views_ledger,
    views_party,
    views_quality,
    views_rectification,
    views_secretaries,
    views_visits,
)

app_name = "coverage"

urlpatterns = [
    # Everything of the 覆盖情况 section lives under overview/ so the navigation marks it.
    path("", RedirectView.as_view(pattern_name="coverage:table", query_string=True), name="index"),
    path("overview/", views.coverage_table, name="table"),
    path("overview/organizations/", views.organization_list, name="organizations"),
    path("overview/blindspots/", views.blindspot_index, name="blindspots"),
    path("overview/blindspots/<slug:kind>/", views.blindspot_list, name="blindspot_list"),
    path("overview/suggestions/", views.suggestion_list, name="suggestions"),
    path("overview/suggestions/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("party-orgs/", views_party.party_org_list, name="party_orgs"),
    path("party-orgs/new/", views_party.party_org_edit, name="party_org_create"),
    path("party-orgs/<int:pk>/", views_party.party_org_detail, name="party_org_detail"),
    path("party-orgs/<int:pk>/edit/", views_party.party_org_edit, name="party_org_edit"),
    path("party-orgs/<int:pk>/inspect/", views_party.inspection_create, name="inspection_create"),
    path("party-orgs/<int:pk>/secretary/", views_secretaries.posting_create, name="secretary_create"),
    path("secretaries/<int:pk>/end/", views_secretaries.posting_end, name="secretary_end"),
    path("instructors/", views_party.instructor_list, name="instructors"),
    path("instructors/new/", views_party.instructor_edit, name="instructor_create"),
    path("instructors/<int:pk>/", views_party.instructor_detail, name="instructor_detail"),
    path("instructors/<int:pk>/edit/", views_party.instructor_edit, name="instructor_edit"),
    path("inspections/", views_party.inspection_list, name="inspections"),
    path("inspections/health/", views_health.health_list, name="health"),
    path("ledger/export/", views_ledger.ledger_export_view, name="ledger_export"),
    path("templates/<slug:kind>.xlsx", views_ledger.import_template, name="import_template"),
    path("overview/effective/", views_visits.effective_table, name="effective"),
    path("overview/quality/", views_quality.quality_view, name="quality"),
    path("visits/", views_visits.visit_list, name="visits"),
    path("visits/new/", views_visits.visit_create, name="visit_create"),
    path("instructors/<int:pk>/visit/", views_visits.visit_create, name="instructor_visit_create"),
    path("instructors/idle/", views_visits.idle_instructors, name="idle_instructors"),
    path("rectifications/", views_rectification.rectification_list, name="rectifications"),
    path(
        "rectifications/<int:pk>/close/", views_rectification.rectification_close, name="rectification_close"
    ),
    path(
        "party-orgs/<int:pk>/rectify/", views_rectification.rectification_create, name="rectification_create"
    ),
]
