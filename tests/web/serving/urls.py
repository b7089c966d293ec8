"""zjtx.web.urls plus views that raise, to see the real 500 responses of the production server."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from zjtx.web.urls import handler400, handler403, handler404, handler500  # noqa: F401
from zjtx.web.urls import urlpatterns as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("SECRET-TRACEBACK-MARKER database password is hunter2")


urlpatterns = [path("test-boom/", boom), path("api/test-boom", boom), *site]
