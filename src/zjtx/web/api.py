"""The NinjaAPI instance: OpenAPI schema at ``/api/openapi.json``, docs at ``/api/docs``.

Every installed app under ``zjtx.apps`` whose ``api`` module defines ``router`` (a ninja
``Router``) is mounted automatically, so a new app only writes ``<app>/api.py``.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="中山市专精特新梯度培育平台 API",
    version="1.0",
    description="企业库与年度数据。使用登录会话认证；镇街、企业账号只能访问本账号范围内的数据。",
    auth=django_auth,
    urls_namespace="api",
)


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
