from django.urls import path, re_path

from zjtx.apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("audit/", views.audit_list, name="audit"),
    re_path(r"^audit\.(?P<fmt>csv|xlsx|json)$", views.audit_list, name="audit_export"),
    path("audit/<int:pk>/", views.audit_detail, name="audit_detail"),
]
