from django.urls import path

from zjtx.apps.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("windows/", views.calendar, name="calendar"),
    path("windows.ics", views.calendar, {"fmt": "ics"}, name="calendar_ics"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/<int:pk>/state/", views.warning_state, name="warning_state"),
    path("inbox/", views.inbox, name="inbox"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/state/", views.notice_state, name="notice_state"),
    path("sent/", views.sent, name="sent"),
    path("preferences/", views.preferences, name="preferences"),
    path("league/", views.league, name="league"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("batches/<int:pk>/pay/", views.batch_pay, name="batch_pay"),
    path("confirm/<int:pk>/", views.confirm, name="confirm"),
]
