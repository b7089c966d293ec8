"""The NinjaAPI instance: OpenAPI schema at ``/api/openapi.json``, docs at ``/api/docs``.

Every installed app under ``zjtx.apps`` whose ``api`` module defines ``router`` (a ninja
``Router``) is mounted automatically, so a new app only writes ``<app>/api.py``.

Errors are JSON in Chinese, always ``{"detail": "…", "errors": ["…", …]}``: validation errors name
each parameter or field (``limit：不能大于1000``); an unexpected error is logged and answered with its
request id, never a traceback. The docs and schema need a login unless ``ZJTX_API_DOCS=public``
(``off`` removes them).
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

logger = logging.getLogger("zjtx.api")

_MODE = getattr(settings, "ZJTX_API_DOCS", "login")

api = NinjaAPI(
    title="中山市专精特新梯度培育平台 API",
    version="1.0",
    description="企业库与年度数据。使用登录会话认证；镇街、企业账号只能访问本账号范围内的数据。"
                "错误以JSON返回：{\"detail\": 说明, \"errors\": [逐项说明]}。",
    auth=django_auth,
    urls_namespace="api",
    docs_url=None if _MODE == "off" else "/docs",
    openapi_url=None if _MODE == "off" else "/openapi.json",
    docs_decorator=None if _MODE == "public" else login_required,
)

# pydantic error type → Chinese reason ({…} filled from the error's ctx)
_REASONS = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "finite_number": "应为有限数字",
    "decimal_max_digits": "数字位数过多（最多{max_digits}位）",
    "decimal_max_places": "小数位数过多（最多{decimal_places}位）",
    "decimal_whole_digits": "整数部分位数过多（最多{whole_digits}位）",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_short": "至少{min_length}个字符",
    "string_too_long": "最多{max_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不含时间",
    "date_type": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间",
    "datetime_from_date_parsing": "应为日期时间",
    "greater_than": "应大于{gt}",
    "greater_than_equal": "不能小于{ge}",
    "less_than": "应小于{lt}",
    "less_than_equal": "不能大于{le}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "too_long": "项数过多（最多{max_length}项）",
    "too_short": "项数过少（至少{min_length}项）",
    "literal_error": "取值无效（可选：{expected}）",
    "enum": "取值无效（可选：{expected}）",
    "json_invalid": "不是有效的JSON",
    "json_type": "不是有效的JSON",
    "value_error": "取值无效",
    "extra_forbidden": "不允许的字段",
    "uuid_parsing": "应为UUID",
}
_LOCATIONS = {"query", "path", "body", "form", "header", "cookie", "file", "payload", "filters"}


def error_response(status: int, detail: str, errors: list[str] | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": errors or [detail]}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def describe(error: dict[str, Any]) -> str:
    """One pydantic/ninja validation error as ``字段：原因`` in Chinese."""
    from zjtx.web.present import _labels

    loc = [str(p) for p in error.get("loc", ()) if str(p) not in _LOCATIONS]
    where = ".".join(loc) or "请求"
    name = loc[-1] if loc else ""
    label = _labels().get(name)
    if label and label != name:  # the parameter as sent, and what it means
        where += f"（{label}）"
    template = _REASONS.get(error.get("type", ""))
    if template is None:
        reason = f"格式不正确（{error.get('msg', '')}）"
    else:
        try:
            reason = template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            reason = template
    return f"{where}：{reason}"


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(422, "请求参数有误", [describe(e) for e in exc.errors])


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        message = "未登录或登录已过期，请先登录"
    elif message == "Too many requests.":
        message = "请求过于频繁，请稍后再试"
    return error_response(exc.status_code, message)


def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "message_dict"):
        errors = [f"{field}：{m}" for field, msgs in exc.message_dict.items() for m in msgs]
    else:
        errors = list(exc.messages)
    return error_response(422, "数据校验未通过", errors)


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    from zjtx.web.errors import API_TITLES, MESSAGES

    return error_response(404, f"{API_TITLES[404]}：{MESSAGES[404][1]}")


def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, str(exc) or "无权访问")


def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(400, "请求格式有误（无法解析请求体）")


def _stale(request: HttpRequest, exc: Exception) -> HttpResponse:
    from zjtx.apps.enterprises.versioning import conflict_payload

    data = conflict_payload(exc)  # type: ignore[arg-type]
    errors = [f"{r['field']}：您提交“{r['mine']}”，当前为“{r['current']}”" for r in data["rows"]] or [str(exc)]
    return JsonResponse({"detail": str(exc), "errors": errors, **data}, status=409,
                        json_dumps_params={"ensure_ascii": False})


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    rid = getattr(request, "zjtx_request_id", "")
    logger.exception("API error (request %s)", rid)
    return error_response(500, f"服务器内部错误，请联系管理员（请求编号 {rid}）")


from zjtx.apps.enterprises.versioning import StaleVersion  # noqa: E402

for _cls, _handler in ((StaleVersion, _stale), (ValidationError, _validation), (HttpError, _http_error),
                       (DjangoValidationError, _django_validation), (Http404, _not_found),
                       (PermissionDenied, _forbidden), (MultiPartParserError, _bad_request),
                       (Exception, _unexpected)):
    api.add_exception_handler(_cls, _handler)  # type: ignore[arg-type]


def _add_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("zjtx.apps."):
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router("/", router)


_add_routers()

__all__: list[str] = ["api", "describe", "error_response"]


_STATUS_ZH = {400: "请求格式有误", 401: "未登录或登录已过期，请先登录", 403: "无权访问", 404: "未找到",
              405: "不支持该请求方法", 413: "请求体过大", 415: "不支持的请求内容类型", 500: "服务器内部错误"}


class ApiJsonErrorsMiddleware:
    """Errors produced outside the API's own handlers (wrong method, unknown path, CSRF, request body
    too large …) under ``/api/`` are answered as the same Chinese JSON, never an HTML page."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            detail = _STATUS_ZH.get(response.status_code, "请求未能完成")
            out = error_response(response.status_code, detail)
            if response.has_header("Allow"):
                out["Allow"] = response["Allow"]
            return out
        return response
