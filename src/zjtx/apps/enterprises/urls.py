from django.urls import path, re_path

from zjtx.apps.enterprises import views

app_name = "enterprises"

_EXT = r"\.(?P<fmt>csv|xlsx|json)"

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="list"),
    re_path(rf"^enterprises{_EXT}$", views.enterprise_list, name="list_export"),
    path("enterprises/new/", views.enterprise_edit, name="create"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="detail"),
    re_path(rf"^enterprises/(?P<uscc>[0-9A-Za-z]{{18}}){_EXT}$", views.enterprise_detail, name="detail_export"),
    path("enterprises/<str:uscc>/edit/", views.enterprise_edit, name="edit"),
    path("enterprises/<str:uscc>/annual/new/", views.annual_edit, name="annual_create"),
    path("enterprises/<str:uscc>/annual/<int:year>/edit/", views.annual_edit, name="annual_edit"),
    path("annual/", views.annual_list, name="annual_list"),
    re_path(rf"^annual{_EXT}$", views.annual_list, name="annual_list_export"),
    path("titles/", views.title_list, name="title_list"),
    re_path(rf"^titles{_EXT}$", views.title_list, name="title_list_export"),
    path("imports/", views.import_index, name="import"),
    path("imports/template.xlsx", views.import_template, name="import_template"),
    path("imports/<uuid:job_id>/", views.import_job, name="import_job"),
    path("imports/<uuid:job_id>/progress/", views.import_progress, name="import_progress"),
    path("imports/<uuid:job_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<uuid:job_id>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<uuid:job_id>/file/", views.import_file, name="import_file"),
]
