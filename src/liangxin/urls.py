from django.contrib.auth import views as auth_views
from django.urls import include, path

from liangxin.accounts.forms import LoginForm
from liangxin.api.v1 import api as api_v1
from liangxin.core import views as core_views
from liangxin.core import views_import

handler500 = "liangxin.core.middleware.server_error"  # a lost database connection: 系统繁忙, not 500

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("soon/<slug:section>/", core_views.not_built, name="not_built"),
    path("import/", views_import.upload, name="data_import"),
    path("import/jobs/<int:pk>/", views_import.job_detail, name="data_import_job"),
    path("import/jobs/<int:pk>/confirm/", views_import.confirm, name="data_import_confirm"),
    path("import/jobs/<int:pk>/errors.xlsx", views_import.errors, name="data_import_errors"),
    path("accounts/", include("liangxin.accounts.urls")),
    path("registry/", include("liangxin.registry.urls")),
    path("coverage/", include("liangxin.coverage.urls")),
    path("dispatch/", include("liangxin.dispatch.urls")),
    path("documents/", include("liangxin.documents.urls")),
    path("cockpit/", include("liangxin.dashboard.urls")),
    path("pairings/", include("liangxin.pairings.urls")),
    path("workforce/", include("liangxin.workforce.urls")),
    path("s/", include("liangxin.workforce.public_urls")),  # 流动哨兵: riders' links, no account
    path("committee/", include("liangxin.committee.urls")),
    path("api/v1/", api_v1.urls),
    path("api/", include("liangxin.api.urls")),
    path("brands/", include("liangxin.brands.urls")),
    path("integration/", include("liangxin.integration.urls")),
    path("notify/", include("liangxin.notify.urls")),
    path("", include("liangxin.core.urls")),
]
