"""Error responses in Chinese: 403/404/500 pages with the site's navigation, JSON under ``/api/``.

Wired in ``zjtx.web.urls`` (``handler403``/``handler404``/``handler500``). With DEBUG off (the
default) no traceback, setting or URL list is ever shown; the 500 page names the request id so a
report can be matched with the server log (the traceback goes to the log, ``django.request``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

log = logging.getLogger("zjtx.web")

MESSAGES = {
    400: ("请求无效", "请求的格式或参数不正确。"),
    403: ("无权访问", "您的账号没有访问此页面或数据的权限。如需开通，请联系市级管理员。"),
    404: ("页面不存在", "您访问的地址不存在，或数据已被删除、不在您的管辖范围内。"),
    500: ("服务器内部错误", "处理请求时出现了意外错误，已记录在服务器日志中。请稍后重试；如多次出现，请把下面的请求编号告诉管理员。"),
}
# under /api/ a 404 is about data or an address, not a page
API_TITLES = {404: "未找到"}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _request_id(request: HttpRequest) -> str:
    return str(getattr(request, "zjtx_request_id", "") or request.META.get("HTTP_X_REQUEST_ID", ""))[:64]


def _respond(request: HttpRequest, status: int, detail: str = "") -> HttpResponse:
    title, text = MESSAGES[status]
    rid = _request_id(request)
    if _is_api(request):  # the API's error shape (zjtx.web.api.error_response): detail + errors
        detail = f"{API_TITLES.get(status, title)}：{text}"
        body: dict[str, Any] = {"detail": detail, "errors": [detail], "status": status}
        if rid:
            body["request_id"] = rid
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    # zjtx_error: the page does not echo the requested address (it may name data the user may not see)
    context = {"status": status, "title": title, "text": detail or text, "request_id": rid, "zjtx_error": True}
    try:
        html = loader.render_to_string("zjtx/error.html", context, request=request)
    except Exception:  # the page itself failed (e.g. the database is down): a plain page, still Chinese
        log.exception("rendering the %s page failed", status)
        html = (f"<!doctype html><html lang=\"zh-hans\"><meta charset=\"utf-8\"><title>{title}</title>"
                f"<h1>{title}</h1><p>{text}</p>{f'<p>请求编号：{rid}</p>' if rid else ''}<p><a href=\"/\">返回首页</a></p>")
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = str(exception) if exception is not None and str(exception) and _has_cjk(str(exception)) else ""
    return _respond(request, 403, detail)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _respond(request, 500)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
