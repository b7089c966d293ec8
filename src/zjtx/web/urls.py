from django.contrib import admin
from django.urls import include, path

from zjtx.apps.accounts import views as account_views
from zjtx.web.api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path("", include("zjtx.apps.accounts.urls")),
    path("", include("zjtx.apps.enterprises.urls")),
    path("evaluations/", include("zjtx.apps.evaluations.urls")),
    path("cultivation/", include("zjtx.apps.cultivation.urls")),
    path("programs/", include("zjtx.apps.programs.urls")),
    path("outreach/", include("zjtx.apps.outreach.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Chinese error pages with the site's navigation; JSON under /api/ (zjtx.web.errors)
handler400 = "zjtx.web.errors.bad_request"
handler403 = "zjtx.web.errors.permission_denied"
handler404 = "zjtx.web.errors.page_not_found"
handler500 = "zjtx.web.errors.server_error"
