from django.urls import path

from liangxin.brands import views

app_name = "brands"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.<str:fmt>", views.brand_export, name="export"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:year>/edit/", views.campaign_edit, name="campaign_edit"),
    path("report/", views.report, name="report"),
    path("template.xlsx", views.import_template, name="import_template"),
    path("new/", views.brand_edit, name="create"),
    path("<int:pk>/", views.brand_detail, name="detail"),
    path("<int:pk>/edit/", views.brand_edit, name="edit"),
    path("<int:pk>/close/", views.brand_close, name="close"),
    path("<int:pk>/reopen/", views.brand_reopen, name="reopen"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:file_pk>/", views.evidence_download, name="evidence_download"),
    path("revisits/", views.revisit_list, name="revisits"),
    path("revisits/<int:pk>/", views.revisit_answer, name="revisit_answer"),
]
