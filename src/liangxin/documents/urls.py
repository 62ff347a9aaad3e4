from django.urls import path, re_path

from . import assessment_views, views

app_name = "documents"

PERIOD = r"(?P<period>\d{4}-\d{2})"

urlpatterns = [
    path("bulletins/", views.bulletins, name="bulletins"),
    path("assessment/", assessment_views.assessment_page, name="assessment"),
    path("assessment/assessment.docx", assessment_views.assessment_docx_download, name="assessment_docx"),
    path("assessment/assessment.pdf", assessment_views.assessment_pdf_download, name="assessment_pdf"),
    path("assessment/assessment.xlsx", assessment_views.assessment_xlsx_download, name="assessment_xlsx"),
    path("bulletins/template/", views.upload_template, name="template_upload"),
    path("bulletins/template/reset/", views.reset_template, name="template_reset"),
    path("bulletins/template.docx", views.current_template, name="template"),
    path("bulletins/<str:period>.<str:kind>", views.download, name="download"),
    re_path(rf"^bulletins/{PERIOD}/$", views.period_page, name="period"),
    re_path(rf"^bulletins/{PERIOD}/requirements/$", views.save_requirements, name="requirements"),
    re_path(rf"^bulletins/{PERIOD}/generate/$", views.generate, name="generate"),
    re_path(rf"^bulletins/{PERIOD}/publish/$", views.publish, name="publish"),
    re_path(rf"^bulletins/{PERIOD}/reopen/$", views.reopen, name="reopen"),
]
