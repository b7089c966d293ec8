from django.urls import path, re_path

from zjtx.apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("audit/", views.audit_list, name="audit"),
    re_path(r"^audit\.(?P<fmt>csv|xlsx|json)$", views.audit_list, name="audit_export"),
    path("audit/<int:pk>/", views.audit_detail, name="audit_detail"),
]
