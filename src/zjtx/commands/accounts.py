"""``zjtx reset-2fa USER`` — break glass: remove a user's authenticators (lost phone) so the next login
enrols a new one. Run on the server by the operator; written to the audit log."""

from __future__ import annotations

from typing import Annotated

import typer

from zjtx.commands.common import console


def reset_2fa(
    username: Annotated[str, typer.Argument(help="用户名")],
    reason: Annotated[str, typer.Option("--reason", help="原因（写入审计日志）")] = "",
) -> None:
    """重置用户的双因素认证（手机丢失时）：删除其动态口令设备，下次登录重新绑定。"""
    from zjtx.web import setup

    setup()
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zjtx.apps.accounts.audit import audit_context, log
    from zjtx.apps.accounts.models import AuditEntry

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        console.print(f"[red]用户不存在：[/]{username}")
        raise typer.Exit(2)
    with audit_context(None, source="cli"):
        n, _ = TOTPDevice.objects.filter(user=user).delete()
        log(AuditEntry.Action.TWO_FACTOR, model="otp_totp.TOTPDevice", object_id=str(user.pk),
            object_repr=f"命令行重置 {username} 的双因素认证", username="(命令行)",
            after={"devices": n, "reason": reason})
    console.print(f"已删除 {username} 的 {n} 个动态口令设备；下次登录时需重新绑定")


def register(app: typer.Typer) -> None:
    app.command("reset-2fa")(reset_2fa)
