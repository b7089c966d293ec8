"""The zjtx Django project (settings, urls, API) and :func:`serve`, the production server launcher."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

DEFAULT_THREADS = 8


def setup() -> None:
    """Configure Django with ``zjtx.web.settings`` unless another settings module is set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.web.settings")
    import django

    django.setup()


def gunicorn_options(host: str, port: int, *, threads: int | None = None, workers: int | None = None) -> dict[str, Any]:
    """Gunicorn settings for the embedded deployment: one process with threads (``gthread``).

    One process keeps the SQLite default simple (background work runs in ``zjtx worker``, not here);
    ``ZJTX_WEB_WORKERS`` / ``ZJTX_WEB_THREADS`` change it (more processes need PostgreSQL).
    """
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "worker_class": "gthread",
        "workers": workers or int(os.environ.get("ZJTX_WEB_WORKERS", "1")),
        "threads": threads or int(os.environ.get("ZJTX_WEB_THREADS", str(DEFAULT_THREADS))),
        "timeout": 120,  # gthread: a heartbeat timeout, long requests run in threads
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "zjtx-web",
        "forwarded_allow_ips": os.environ.get("ZJTX_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        # gunicorn ≥ 27 opens a control socket in the home directory by default; the platform does not
        # use it, and two servers on one machine would share it
        "control_socket_disable": True,
    }


def serve(host: str = "127.0.0.1", port: int = 8000, *, bootstrap: bool = True,
          companions: Sequence[Sequence[str]] | None = None, threads: int | None = None) -> None:
    """Serve the platform with a production WSGI server (gunicorn, threads; WhiteNoise for static files).

    With ``bootstrap`` (default) the database is migrated and reference data loaded first; an
    ``admin`` account with a random password is created (and printed once) if there is no superuser.
    Static files are collected into ``ZJTX_DATA_DIR/static``. ``companions`` are commands started
    beside the server (e.g. ``[sys.executable, "-m", "zjtx", "worker"]``) and stopped with it; by
    default the background worker when the ``zjtx worker`` command is installed.
    Blocks until the server stops (Ctrl+C / SIGTERM).
    """
    setup()
    from django.core.management import call_command

    if bootstrap:
        call_command("bootstrap")
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.conf import settings

    settings.WHITENOISE_USE_FINDERS = settings.DEBUG  # serve the collected (compressed) files
    procs = [subprocess.Popen(list(cmd)) for cmd in (default_companions() if companions is None else companions)]
    try:
        _run_gunicorn(gunicorn_options(host, port, threads=threads))
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def default_companions() -> list[list[str]]:
    """Processes the main job starts beside the web server: the background worker, when installed."""
    import importlib.util

    if importlib.util.find_spec("zjtx.commands.worker") is not None:
        return [[sys.executable, "-m", "zjtx", "worker"]]
    return []


def _run_gunicorn(options: dict[str, Any]) -> None:
    from gunicorn.app.base import BaseApplication

    from zjtx.web.wsgi import application

    class _Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings and value is not None:
                    self.cfg.set(key.lower(), value)

        def load(self) -> Any:
            return application

    _Server().run()
