from django.urls import path

from liangxin.coverage import views, views_party

app_name = "coverage"

urlpatterns = [
    path("", views.coverage_table, name="table"),
    path("organizations/", views.organization_list, name="organizations"),
    path("blindspots/", views.blindspot_index, name="blindspots"),
    path("blindspots/<slug:kind>/", views.blindspot_list, name="blindspot_list"),
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path("suggestions/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("party-orgs/", views_party.party_org_list, name="party_orgs"),
    path("party-orgs/new/", views_party.party_org_edit, name="party_org_create"),
    path("party-orgs/<int:pk>/", views_party.party_org_detail, name="party_org_detail"),
    path("party-orgs/<int:pk>/edit/", views_party.party_org_edit, name="party_org_edit"),
    path("party-orgs/<int:pk>/inspect/", views_party.inspection_create, name="inspection_create"),
    path("instructors/", views_party.instructor_list, name="instructors"),
    path("instructors/new/", views_party.instructor_edit, name="instructor_create"),
    path("instructors/<int:pk>/", views_party.instructor_detail, name="instructor_detail"),
    path("instructors/<int:pk>/edit/", views_party.instructor_edit, name="instructor_edit"),
    path("inspections/", views_party.inspection_list, name="inspections"),
    path("health/", views_party.health_list, name="health"),
]
