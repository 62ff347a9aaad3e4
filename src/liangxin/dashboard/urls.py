from django.urls import path

from liangxin.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("screen/", views.screen, name="screen"),
    path("data/<slug:chart>.json", views.data, name="data"),
    path("export/<slug:chart>.<str:fmt>", views.download, name="export"),
]
