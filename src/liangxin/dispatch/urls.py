from django.urls import path
from django.views.generic import RedirectView

from liangxin.dispatch import views, views_chase, views_notices, views_reports

app_name = "dispatch"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dispatch:board"), name="index"),
    path("board/", views.board, name="board"),
    path("board/export.xlsx", views.board_export, name="board_export"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_edit, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("plans/<int:year>/", views.plan_settings, name="plan_settings"),
    path("plans/<int:year>/confirm/", views.plan_confirm, name="plan_confirm"),
    path("chase/", views_chase.chase, name="chase"),
    path("chase/remind/", views_chase.chase_remind, name="chase_remind"),
    path("periods/", views.period_list, name="periods"),
    path("periods/<int:pk>/", views.period_update, name="period_update"),
    path("periods/<int:pk>/unlock/", views.period_unlock, name="period_unlock"),
    path("mine/", views_reports.mine, name="mine"),
    path("mine/workbook.xlsx", views_reports.mine_workbook, name="mine_workbook"),
    path("mine/<str:period>/<int:task_pk>/", views_reports.report_edit, name="report_edit"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/accept/", views_reports.report_accept, name="report_accept"),
    path("reports/<int:pk>/return/", views_reports.report_return, name="report_return"),
    path("reports/<int:pk>/files/<int:file_pk>/", views_reports.attachment_download, name="attachment"),
    path("review/", views_reports.review_queue, name="review"),
    path("notices/", views_notices.notice_list, name="notices"),
    path("notices/read-all/", views_notices.notice_read_all, name="notice_read_all"),
    path("notices/<int:pk>/read/", views_notices.notice_read, name="notice_read"),
]
