from django.urls import path

from liangxin.integration import views

app_name = "integration"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("export.<str:fmt>", views.assessment_export, name="export"),
    path("summary/", views.summary_page, name="summary"),
    path("new/", views.assessment_edit, name="create"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/edit/", views.assessment_edit, name="edit"),
    path("template.xlsx", views.import_template, name="import_template"),
]
