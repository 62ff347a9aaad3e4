from django.urls import path

from liangxin.registry import views

app_name = "registry"

urlpatterns = [
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/new/", views.organization_edit, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/export.<str:fmt>", views.organization_export, name="organization_export"),
    path("organizations/template.xlsx", views.import_template, name="import_template"),
    path("followups/", views.followup_list, name="followups"),
    path("followups/<int:pk>/close/", views.followup_close, name="followup_close"),
]
