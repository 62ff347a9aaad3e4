from django.urls import path, re_path

from . import views

app_name = "documents"

PERIOD = r"(?P<period>\d{4}-\d{2})"

urlpatterns = [
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<str:period>.<str:kind>", views.download, name="download"),
    re_path(rf"^bulletins/{PERIOD}/$", views.period_page, name="period"),
    re_path(rf"^bulletins/{PERIOD}/requirements/$", views.save_requirements, name="requirements"),
    re_path(rf"^bulletins/{PERIOD}/generate/$", views.generate, name="generate"),
    re_path(rf"^bulletins/{PERIOD}/publish/$", views.publish, name="publish"),
    re_path(rf"^bulletins/{PERIOD}/reopen/$", views.reopen, name="reopen"),
]
