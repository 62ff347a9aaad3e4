from django.urls import path

from liangxin.workforce import views, views_reports

app_name = "workforce"

urlpatterns = [
    path("", views.station_list, name="stations"),
    path("stations/new/", views.station_edit, name="station_create"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/edit/", views.station_edit, name="station_edit"),
    path("stations/<int:pk>/link/", views.station_link, name="station_link"),
    path("stations/<int:pk>/qr.svg", views_reports.station_qr, name="station_qr"),
    path("stations/<int:pk>/poster/", views_reports.station_poster, name="station_poster"),
    path("template.xlsx", views.import_template, name="import_template"),
    path("posthouses/", views.posthouse_list, name="posthouses"),
    path("figures/", views.figures_page, name="figures"),
    path("reports/", views_reports.report_list, name="reports"),
    path("reports/stats/", views_reports.stats_page, name="stats"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/photo.jpg", views_reports.report_photo, name="report_photo"),
    path("reports/<int:pk>/<slug:action>/", views_reports.report_action, name="report_action"),
]
