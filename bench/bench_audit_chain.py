"""Cost of the tamper-evident audit chain and record versions on an import, side by side in one run.

    .venv/bin/python bench/bench_audit_chain.py --rows 2000 [--repeat 3]

Imports the same generated file (``--rows`` enterprises with one annual report each, then the same file
again as an update) into a fresh SQLite database twice per repeat:

* ``chained``: the platform as shipped — every audit entry takes the chain head, gets its HMAC, and every
  update of an existing record bumps its version;
* ``plain``: the same import with the audit entry written as one plain INSERT (no head lock, no HMAC) and
  saves without the version check — what the platform did before the chain and versions.

Prints seconds per 1,000 rows for both and the ratio chained / plain (best of ``--repeat``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "web"))


def _setup(tmp: str) -> None:
    os.environ["ZJTX_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "zjtx.web.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextmanager
def plain_mode():
    """Audit entries as plain inserts and saves without version checks (the pre-chain behaviour)."""
    from django.db import models

    from zjtx.apps.accounts import chain
    from zjtx.apps.accounts.models import AuditEntry
    from zjtx.apps.enterprises.versioning import Versioned

    def plain_append(**values):
        from django.utils import timezone

        values["time"] = timezone.now()
        values["user_id"] = getattr(values.pop("user", None), "pk", None)
        return AuditEntry.objects.create(**values)

    original_append, original_save = chain.append, Versioned.save
    chain.append = plain_append
    Versioned.save = models.Model.save
    try:
        yield
    finally:
        chain.append, Versioned.save = original_append, original_save


def run_once(rows: int, base: int) -> float:
    from django.contrib.auth import get_user_model
    from webtest_helpers import row, uscc, xlsx

    from zjtx.apps.accounts.models import Profile
    from zjtx.apps.enterprises import importer

    user, _ = get_user_model().objects.get_or_create(username="bench")
    Profile.objects.get_or_create(user=user, defaults={"role": "city_staff"})
    content = xlsx([row(uscc=uscc(base + i), name=f"中山市基准{i}号有限公司", division="小榄镇", industry="C3919",
                        year=2024, employees=100 + i % 50, revenue=10_000_000 + i) for i in range(1, rows + 1)])
    start = time.perf_counter()
    for _ in range(2):  # create, then update every row
        job = importer.create_job(user, "bench.xlsx", content)
        importer.confirm(job, background=False)
        assert job.__class__.objects.get(pk=job.pk).status == "done"
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        chained, plain = [], []
        for k in range(args.repeat):
            chained.append(run_once(args.rows, (2 * k) * args.rows))
            with plain_mode():
                plain.append(run_once(args.rows, (2 * k + 1) * args.rows))
        per = 1000 / (2 * args.rows)
        c, p = min(chained) * per, min(plain) * per
        print(f"import of {args.rows} rows (create + update), SQLite, best of {args.repeat}:")
        print(f"  chained audit + versions: {c:.2f} s per 1,000 rows")
        print(f"  plain audit, no versions: {p:.2f} s per 1,000 rows")
        print(f"  ratio chained / plain:    {c / p:.2f}")


if __name__ == "__main__":
    main()
