"""Imports under load: a 50,000-row file applied by the worker while an officer keeps editing.

    .venv/bin/python bench/import_load.py [--rows 50000] [--data-dir DIR]

In a fresh data directory (SQLite, the embedded default): uploads a CSV of ``--rows`` new enterprises
with one annual report each (validation timed), submits it and a second, overlapping file at once to
the queue, runs the worker, and meanwhile saves an existing enterprise every half second from another
process (each save's latency and outcome recorded). Reports: validation, staging and commit times
(the commit is the only write transaction; of it, the audit chain's part), both imports' outcome, and
the edits' latencies and errors.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EDITOR = r"""
import json, sys, time
import zjtx.web as w
w.setup()
from zjtx.apps.enterprises.models import Enterprise
ent_pk, seconds = int(sys.argv[1]), float(sys.argv[2])
n, until = 0, time.monotonic() + seconds
while time.monotonic() < until:
    t = time.perf_counter()
    try:
        e = Enterprise.objects.get(pk=ent_pk)
        e.contact_name = f"编辑{n}"
        e.save()
        err = ""
    except Exception as exc:
        err = str(exc)[:200]
    n += 1
    print("EDIT " + json.dumps([time.perf_counter() - t, err], ensure_ascii=False), flush=True)
    time.sleep(0.5)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50000)
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args()
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="zjtx-import-load-"))
    os.environ["ZJTX_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    import zjtx.web as w

    w.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.contrib.auth import get_user_model
    from stdnum.cn.uscc import calc_check_digit

    from zjtx.apps.accounts.models import Profile
    from zjtx.apps.enterprises import importer
    from zjtx.apps.enterprises.fields import IMPORT_FIELDS
    from zjtx.apps.enterprises.models import Enterprise, ImportJob
    from zjtx.apps.jobs.models import Job
    from zjtx.commands.worker import run_worker

    user = get_user_model().objects.filter(username="loader").first() or get_user_model().objects.create_user("loader")
    Profile.objects.update_or_create(user=user, defaults={"role": "city_staff"})
    first = Enterprise.objects.filter(uscc__startswith="91442000MB").first()
    if first is None:  # one existing enterprise the editor keeps saving
        body = "91442000MB0000001"
        first = Enterprise.objects.create(uscc=body + calc_check_digit(body), name="编辑对象企业", division_id="442000118")

    def csv_bytes(start: int, n: int, employees: int) -> bytes:
        heads = [f.header for f in IMPORT_FIELDS]
        vals = {"name": "", "division": "小榄镇", "industry": "C3919", "year": 2024, "source": "税务",
                "employees": employees, "revenue": 50_000_000, "rd_expense": 2_500_000}
        buf = io.StringIO()
        buf.write(",".join(heads) + "\n")
        for i in range(start, start + n):
            body = f"91442000MA{i:07d}"
            row = {**vals, "uscc": body + calc_check_digit(body), "name": f"中山市压测{i}号科技有限公司"}
            buf.write(",".join(str(row.get(f.name, "")) for f in IMPORT_FIELDS) + "\n")
        return buf.getvalue().encode("utf-8-sig")

    n = args.rows
    t = time.perf_counter()
    a = importer.create_job(user, "a.csv", csv_bytes(1, n, 100))
    validate_s = time.perf_counter() - t
    b = importer.create_job(user, "b.csv", csv_bytes(n // 2, n // 10, 200))  # overlaps a's rows
    assert a.status == b.status == ImportJob.Status.READY, (a.errors[:3], b.errors[:3])
    times: dict[str, float] = {}
    real_stage, real_commit = importer.stage, importer.commit

    def timed(name, fn):
        def inner(*x, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*x, **kw)
            finally:
                times[name] = times.get(name, 0.0) + time.perf_counter() - t0
        return inner

    importer.stage, importer.commit = timed("stage", real_stage), timed("commit", real_commit)
    from zjtx.apps.accounts import chain

    chain.append_prepared = timed("commit_audit", chain.append_prepared)  # the chain's part of the commit
    importer.confirm(a, background=True)
    importer.confirm(b, background=True)  # submitted together: the queue runs them one after the other
    env = {**os.environ}
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(first.pk), "3600"], env=env,
                              stdout=subprocess.PIPE, text=True)  # edits until the imports are done
    time.sleep(3)
    t = time.perf_counter()
    run_worker(once=True, schedule=False, signals=False)
    work_s = time.perf_counter() - t
    time.sleep(1)
    editor.terminate()
    edits = [json.loads(x[5:]) for x in editor.communicate()[0].splitlines() if x.startswith("EDIT ")]
    a.refresh_from_db()
    b.refresh_from_db()
    lat = sorted(e[0] for e in edits)
    result = {
        "rows": n, "validate_s": round(validate_s, 1), "worker_s": round(work_s, 1),
        "stage_s": round(times.get("stage", 0), 1), "commit_s": round(times.get("commit", 0), 1),
        "commit_audit_s": round(times.get("commit_audit", 0), 1),
        "import_a": a.status, "import_b": b.status, "enterprises": Enterprise.objects.count(),
        "jobs": sorted(Job.objects.values_list("status", flat=True)),
        "edits": len(edits), "edit_errors": sum(1 for e in edits if e[1]),
        "edit_p50_ms": round(1000 * lat[len(lat) // 2]) if lat else None,
        "edit_max_ms": round(1000 * lat[-1]) if lat else None,
        "first_edit_error": next((e[1] for e in edits if e[1]), ""),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
