from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<str:period>.<str:kind>", views.download, name="download"),
]
