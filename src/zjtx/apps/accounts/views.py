"""The one login (throttled per account and IP, TOTP second step), logout, two-factor enrolment,
password change, and the audit log (audit administrators)."""

from __future__ import annotations

import base64
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login

from zjtx.apps.accounts import scope, throttle
from zjtx.apps.accounts.audit import log
from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.enterprises.exports import export_response, requested_format

AUDIT_COLUMNS = [("chain", "链"), ("seq", "序号"), ("time", "时间"), ("username", "用户"), ("action", "操作"), ("source", "来源"),
                 ("ip", "来源IP"),
                 ("request_id", "请求/批次编号"), ("model", "对象类型"), ("object_id", "对象编号"),
                 ("object_repr", "对象"), ("enterprise_uscc", "企业代码"), ("changed", "变更字段"),
                 ("before", "修改前"), ("after", "修改后")]


LOCKED_MESSAGE = "登录失败次数过多，账号已锁定，请{minutes}分钟后再试"
IP_MESSAGE = "本机登录尝试过于频繁，请{minutes}分钟后再试"
PENDING_SECONDS = 300


def _fail(username: str, ip: str, reason: str, locked: bool = False) -> None:
    log(AuditEntry.Action.LOCKED if locked else AuditEntry.Action.LOGIN_FAILED, model="auth.User",
        object_repr=username, username=username, ip=ip, after={"reason": reason})


def _check(request: HttpRequest, username: str, check: Any) -> tuple[Any, str]:
    """Reserve an attempt for the account and the source IP, then run ``check()`` (password or token).

    Returns ``(result, error)``; a refused reservation never reaches ``check``."""
    ip = throttle.client_ip(request)
    minutes = settings.ZJTX_LOCKOUT_MINUTES
    if not throttle.reserve(throttle.IP, ip):
        _fail(username, ip, "ip_throttled")
        return None, IP_MESSAGE.format(minutes=settings.ZJTX_IP_LOCKOUT_MINUTES)
    if not throttle.reserve(throttle.USER, username):
        throttle.succeeded(throttle.IP, ip)  # the IP's attempt was not used
        _fail(username, ip, "locked")
        return None, LOCKED_MESSAGE.format(minutes=minutes)
    result = check()
    if result:
        throttle.succeeded(throttle.USER, username)
        throttle.succeeded(throttle.IP, ip)
        return result, ""
    locked = throttle.failed(throttle.USER, username)
    throttle.failed(throttle.IP, ip)
    _fail(username, ip, "bad_credentials", locked=locked)
    return None, LOCKED_MESSAGE.format(minutes=minutes) if locked else ""


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        nxt = ""
    return nxt or resolve_url(settings.LOGIN_REDIRECT_URL)


def _complete_login(request: HttpRequest, user: Any, device: Any = None) -> HttpResponse:
    nxt = _next_url(request)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    if device is not None:
        otp_login(request, device)
    log(AuditEntry.Action.LOGIN, user=user, object_repr=user.get_username(), model="auth.User",
        ip=throttle.client_ip(request), after={"two_factor": device is not None})
    return redirect(nxt)


def login_view(request: HttpRequest) -> HttpResponse:
    """The one way in (the admin site redirects here): password, then the TOTP code when enrolled."""
    error = ""
    if getattr(request, "zjtx_idle_expired", False):
        error = "长时间未操作，已自动退出，请重新登录"
    username = ""
    step = "password"
    pending = request.session.get("zjtx_pending")
    if pending and time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop("zjtx_pending", None)
        pending = None
    if request.method == "POST" and request.POST.get("step") == "token" and pending:
        step = "token"
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        token = (request.POST.get("token") or "").strip().replace(" ", "")
        username = pending.get("username", "")
        devices = [d for d in devices_for_user(user, confirmed=True)] if user is not None else []

        def check_token() -> Any:
            return next((d for d in devices if token.isdigit() and d.verify_token(token)), None)

        device, error = _check(request, username, check_token)
        if device is not None:
            request.session.pop("zjtx_pending", None)
            return _complete_login(request, user, device)
        error = error or "动态验证码错误或已过期"
    elif request.method == "POST":
        request.session.pop("zjtx_pending", None)
        username = (request.POST.get("username") or "").strip()[:150]
        password = request.POST.get("password") or ""
        user, error = _check(request, username,
                             lambda: authenticate(request, username=username, password=password))
        if user is not None:
            if user_has_device(user, confirmed=True):
                request.session["zjtx_pending"] = {"user": user.pk, "username": username, "at": time.time()}
                step = "token"
            else:
                return _complete_login(request, user)
        else:
            error = error or "用户名或密码错误"
    return render(request, "accounts/login.html", {"error": error, "username": username, "step": step,
                                                   "attempts": settings.ZJTX_LOCKOUT_ATTEMPTS,
                                                   "minutes": settings.ZJTX_LOCKOUT_MINUTES,
                                                   "next": request.POST.get("next") or request.GET.get("next", "")})


def home(request: HttpRequest) -> HttpResponse:
    """Where a user lands after login: staff on the dashboard of the city's (or their town's) latest
    official run, administrators on the admin site, an enterprise user on its own enterprise."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    role = scope.role_of(request.user)
    if role in scope.READ_ALL or role == "town_officer":
        return redirect("evaluations:dashboard")
    if role in scope.ADMIN_ROLES:
        return redirect("admin:index")
    firm = getattr(getattr(request.user, "zjtx_profile", None), "enterprise", None)
    if firm is not None:  # the enterprise's own record, not a list of one
        return redirect("enterprises:detail", uscc=firm.uscc)
    return redirect("enterprises:list")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # audited by the user_logged_out signal (also for the admin's and the idle logout)
    messages.info(request, "已退出登录")
    return redirect(settings.LOGOUT_REDIRECT_URL)


# ------------------------------------------------------------------ two-factor and password


def _qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, border=2)


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP authenticator (required for city and administrator roles before anything else)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():
        return redirect(f"{resolve_url('accounts:two_factor_verify')}?next={request.GET.get('next', '')}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="动态口令", confirmed=False)
    error = ""
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip().replace(" ", "")

        def check() -> bool:
            return token.isdigit() and device.verify_token(token)

        ok, error = _check(request, user.get_username(), check)
        if ok:
            device.confirmed = True
            device.save()
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            otp_login(request, device)
            log(AuditEntry.Action.TWO_FACTOR, model="otp_totp.TOTPDevice", object_id=str(device.pk),
                object_repr=f"{user.get_username()} 启用动态口令")
            messages.success(request, "已启用双因素认证")
            return redirect(_next_url(request))
        error = error or "动态验证码错误，请核对手机时间后重试"
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/two_factor_setup.html", {
        "qr": _qr_svg(device.config_url), "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "error": error, "next": request.GET.get("next", ""), "required": scope.requires_two_factor(user)})


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """A session that is logged in but not yet verified (e.g. enrolment reset) enters its code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    error = ""
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip().replace(" ", "")
        devices = list(devices_for_user(user, confirmed=True))
        device, error = _check(request, user.get_username(),
                               lambda: next((d for d in devices if token.isdigit() and d.verify_token(token)), None))
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        error = error or "动态验证码错误或已过期"
    return render(request, "accounts/two_factor_verify.html", {"error": error, "next": request.GET.get("next", "")})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password (validators: length, complexity, not one of the last N); required when expired."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm

    from zjtx.apps.accounts.passwords import is_expired

    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "口令已修改")
        return redirect(_next_url(request))
    return render(request, "accounts/password_change.html", {
        "form": form, "expired": is_expired(request.user), "next": request.GET.get("next", ""),
        "max_age": settings.ZJTX_PASSWORD_MAX_AGE_DAYS, "history": settings.ZJTX_PASSWORD_HISTORY,
        "min_length": settings.ZJTX_PASSWORD_MIN_LENGTH})


AUDIT_EXPORT_MAX = 100000


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD filter value between 1990 and 2100; anything else is ignored (never an error page)."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if date(1990, 1, 1) <= day <= date(2100, 12, 31) else None


def _audit_qs(request: HttpRequest):
    if not scope.can_view_audit(request.user):
        raise PermissionDenied("仅审计管理员可查看审计日志")
    qs = AuditEntry.objects.all()
    p = request.GET
    if p.get("user"):
        qs = qs.filter(username__icontains=p["user"])
    if p.get("action"):
        qs = qs.filter(action=p["action"])
    if p.get("uscc"):
        qs = qs.filter(enterprise_uscc=p["uscc"].upper())
    if p.get("request_id"):
        qs = qs.filter(request_id=p["request_id"])
    for key, lookup in (("since", "time__date__gte"), ("until", "time__date__lte")):
        day = parse_day(p.get(key))
        if day is not None:
            qs = qs.filter(**{lookup: day})
    return qs


@login_required
def audit_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    qs = _audit_qs(request)
    export = requested_format(request, fmt)
    if export:
        rows = [{k: getattr(e, k) for k, _ in AUDIT_COLUMNS} for e in qs[:AUDIT_EXPORT_MAX]]
        if export != "json":
            for r in rows:
                r["time"] = timezone.localtime(r["time"]).strftime("%Y-%m-%d %H:%M:%S")
                for k in ("before", "after", "changed"):
                    r[k] = "" if r[k] is None else str(r[k])
        return export_response(export, "审计日志", AUDIT_COLUMNS, rows)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    urls = {}
    for f in ("xlsx", "csv", "json"):
        params["format"] = f
        urls[f] = f"{request.path}?{params.urlencode()}"
    return render(request, "accounts/audit_list.html", {"page": page, "params": request.GET,
                                                        "actions": AuditEntry.Action.choices, "export_urls": urls})


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(_audit_qs(request), pk=pk)
    keys = sorted(set((entry.before or {}).keys()) | set((entry.after or {}).keys()))
    from zjtx.web import present

    diff = [(present.model_field_label(entry.model, k), _audit_value((entry.before or {}).get(k)),
             _audit_value((entry.after or {}).get(k)), k in entry.changed) for k in keys]
    return render(request, "accounts/audit_detail.html", {"entry": entry, "diff": diff,
                                                          "model_label": present.model_label(entry.model)})


def _audit_value(v: Any) -> str:
    from zjtx.web import present

    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return present.yes_no(v)
    if isinstance(v, float):
        return present.number(v, 6)
    if isinstance(v, dict | list):
        return present.humanize(str(v))
    return str(v)
