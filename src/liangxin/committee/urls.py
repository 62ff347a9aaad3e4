from django.urls import path

from liangxin.committee import views, views_activities, views_meetings, views_quality

app_name = "committee"

urlpatterns = [
    path("industry/", views.industry_list, name="industry"),
    path("industry/new/", views.industry_edit, name="industry_create"),
    path("industry/missing/", views.missing_list, name="missing"),
    path("industry/quality/", views_quality.quality_view, name="quality"),
    path("industry/missing/<int:unit_pk>/propose/", views.missing_propose, name="missing_propose"),
    path("industry/<int:pk>/", views.industry_detail, name="industry_detail"),
    path("industry/<int:pk>/edit/", views.industry_edit, name="industry_edit"),
    path("industry/activities/", views_activities.activity_list, name="activities"),
    path("industry/activities/new/", views_activities.activity_edit, name="activity_create"),
    path("industry/activities/<int:pk>/edit/", views_activities.activity_edit, name="activity_edit"),
    path("meetings/", views_meetings.meeting_list, name="meetings"),
    path("meetings/new/", views_meetings.meeting_edit, name="meeting_create"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views_meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/minutes/", views_meetings.attachment, name="meeting_attachment"),
    path("meetings/<int:pk>/decisions/new/", views_meetings.decision_create, name="decision_create"),
    path("meetings/<int:pk>/dispatch/", views_meetings.dispatch_all, name="meeting_dispatch"),
]
