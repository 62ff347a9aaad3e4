from django.urls import path

from liangxin.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("robots/", views.robot_list, name="robots"),
]
