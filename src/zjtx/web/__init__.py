"""The zjtx Django project (settings, urls, API) and :func:`serve`."""

from __future__ import annotations

import os


def setup() -> None:
    """Configure Django with ``zjtx.web.settings`` unless another settings module is set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjtx.web.settings")
    import django

    django.setup()


def serve(host: str = "127.0.0.1", port: int = 8000, *, bootstrap: bool = True) -> None:
    """Run the platform with Django's threaded development server (no autoreload).

    With ``bootstrap`` (default) the database is migrated and reference data loaded first; an
    ``admin`` account with a random password is created (and printed once) if there is no superuser.
    For production put a WSGI server in front of ``zjtx.web.wsgi:application``.
    """
    setup()
    from django.core.management import call_command

    if bootstrap:
        call_command("bootstrap")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True, insecure_serving=True)
