"""Login with lockout, logout, and the audit log (auditors and administrators)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.audit import log
from zjtx.apps.accounts.models import AuditEntry, LoginLock
from zjtx.apps.enterprises.exports import export_response, requested_format

AUDIT_COLUMNS = [("time", "时间"), ("username", "用户"), ("action", "操作"), ("source", "来源"),
                 ("request_id", "请求/批次编号"), ("model", "对象类型"), ("object_id", "对象编号"),
                 ("object_repr", "对象"), ("enterprise_uscc", "企业代码"), ("changed", "变更字段"),
                 ("before", "修改前"), ("after", "修改后")]


def _locked(username: str) -> LoginLock | None:
    lock = LoginLock.objects.filter(username=username).first()
    if lock and lock.locked_until and lock.locked_until > timezone.now():
        return lock
    return None


def _record_failure(username: str) -> bool:
    """Count a failed attempt; True when the account is now locked."""
    lock, _ = LoginLock.objects.get_or_create(username=username)
    now = timezone.now()
    if lock.locked_until and lock.locked_until <= now:
        lock.failures = 0
        lock.locked_until = None
    lock.failures += 1
    lock.last_failure = now
    locked = lock.failures >= settings.ZJTX_LOCKOUT_ATTEMPTS
    if locked:
        lock.locked_until = now + timedelta(minutes=settings.ZJTX_LOCKOUT_MINUTES)
    lock.save()
    return locked


def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    if getattr(request, "zjtx_idle_expired", False):
        error = "长时间未操作，已自动退出，请重新登录"
    username = ""
    if request.method == "POST":
        username = (request.POST.get("username") or "").strip()
        password = request.POST.get("password") or ""
        if _locked(username):
            error = f"登录失败次数过多，账号已锁定，请{settings.ZJTX_LOCKOUT_MINUTES}分钟后再试"
        else:
            user = authenticate(request, username=username, password=password)
            if user is None:
                now_locked = _record_failure(username)
                log(AuditEntry.Action.LOCKED if now_locked else AuditEntry.Action.LOGIN_FAILED,
                    object_repr=username, model="auth.User")
                error = (f"登录失败次数过多，账号已锁定，请{settings.ZJTX_LOCKOUT_MINUTES}分钟后再试" if now_locked
                         else "用户名或密码错误")
            else:
                LoginLock.objects.filter(username=username).delete()
                login(request, user)
                log(AuditEntry.Action.LOGIN, user=user, object_repr=username, model="auth.User")
                nxt = request.POST.get("next") or request.GET.get("next") or ""
                if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
                    nxt = ""
                return redirect(nxt or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/login.html", {"error": error, "username": username,
                                                   "next": request.GET.get("next", "")}, status=200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        log(AuditEntry.Action.LOGOUT, user=request.user, object_repr=request.user.get_username(), model="auth.User")
    logout(request)
    messages.info(request, "已退出登录")
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _audit_qs(request: HttpRequest):
    if not scope.can_view_audit(request.user):
        raise PermissionDenied("仅审计员和管理员可查看审计日志")
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
    if p.get("since"):
        qs = qs.filter(time__date__gte=p["since"])
    if p.get("until"):
        qs = qs.filter(time__date__lte=p["until"])
    return qs


@login_required
def audit_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    qs = _audit_qs(request)
    export = requested_format(request, fmt)
    if export:
        rows = [{k: getattr(e, k) for k, _ in AUDIT_COLUMNS} for e in qs[:100000]]
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
    diff = [(k, (entry.before or {}).get(k), (entry.after or {}).get(k), k in entry.changed) for k in keys]
    return render(request, "accounts/audit_detail.html", {"entry": entry, "diff": diff})
