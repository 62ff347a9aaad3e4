from django.urls import path

from liangxin.accounts import views, views_otp

app_name = "accounts"

urlpatterns = [
    path("password/", views.password_change, name="password_change"),
    path("otp/setup/", views_otp.setup, name="otp_setup"),
    path("otp/verify/", views_otp.verify, name="otp_verify"),
    path("otp/", views_otp.manage, name="otp_manage"),
    path("otp/codes/", views_otp.new_codes, name="otp_new_codes"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_edit, name="user_create"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/otp-reset/", views.user_reset_otp, name="user_reset_otp"),
    path("lockouts/", views.lockout_list, name="lockouts"),
]
