from django.urls import path

from liangxin.core import views, views_audit

app_name = "core"

urlpatterns = [
    path("regions/", views.region_list, name="regions"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("areas/", views.area_list, name="areas"),
    path("areas/new/", views.area_edit, name="area_create"),
    path("areas/<int:pk>/edit/", views.area_edit, name="area_edit"),
    path("areas/<int:pk>/delete/", views.area_delete, name="area_delete"),
    path("member-units/", views.member_unit_list, name="member_units"),
    path("member-units/new/", views.member_unit_edit, name="member_unit_create"),
    path("member-units/<int:pk>/", views.member_unit_detail, name="member_unit_detail"),
    path("member-units/<int:pk>/edit/", views.member_unit_edit, name="member_unit_edit"),
    path("help/", views.manual, name="manual"),
    path("help/<slug:role>/", views.manual, name="manual_for"),
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("audit/export.xlsx", views_audit.audit_export, name="audit_export"),
]
