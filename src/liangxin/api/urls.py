from django.urls import path

from liangxin.api import views

app_name = "api"

urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/deliveries/", views.delivery_list, name="webhook_deliveries"),
]
