from django.urls import path

from liangxin.pairings import views

app_name = "pairings"

urlpatterns = [
    path("", views.pairing_list, name="list"),
    path("export.<str:fmt>", views.pairing_export, name="export"),
    path("totals/", views.totals, name="totals"),
    path("new/", views.pairing_edit, name="create"),
    path("<int:pk>/", views.pairing_detail, name="detail"),
    path("<int:pk>/edit/", views.pairing_edit, name="edit"),
    path("<int:pk>/delete/", views.pairing_delete, name="delete"),
    path("<int:pk>/projects/new/", views.project_create, name="project_create"),
    path("villages/", views.village_list, name="villages"),
    path("villages/<str:code>/key/", views.village_key, name="village_key"),
    path("templates/<slug:kind>.xlsx", views.import_template, name="import_template"),
]
