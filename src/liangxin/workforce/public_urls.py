from django.urls import path

from liangxin.workforce import views_public

app_name = "sentinel"

urlpatterns = [
    path("track/", views_public.track, name="track"),
    path("<str:token>/", views_public.report_form, name="form"),
    path("<str:token>/receipt/<str:receipt>/", views_public.receipt, name="receipt"),
]
