"""Restart recovery with real processes: ``zjtx worker`` is killed (SIGKILL) while it runs a job; a new
worker re-queues the job and runs it to the end. Its own data directory (SQLite file), like the
serving tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent / "workerproc"

SNIPPET = r"""
import json, sys
import zjtx.web as w
w.setup()
from zjtx.apps.jobs.models import Job
from zjtx.apps.jobs.services import submit
if sys.argv[1] == "submit":
    import slow_tasks
    print(json.dumps({"id": str(submit(slow_tasks.slow, title="慢任务", seconds=float(sys.argv[2])).pk)}))
else:
    j = Job.objects.get(pk=sys.argv[2])
    print(json.dumps({"status": j.status, "attempts": j.attempts, "worker": j.worker, "processed": j.processed,
                      "message": j.message, "outcome": j.outcome}, ensure_ascii=False))
"""


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZJTX_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({"ZJTX_DATA_DIR": str(data), "PYTHONPATH": str(HERE)})
    return env


def _py(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", SNIPPET, *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_job_whose_worker_was_killed_is_requeued_and_completed(tmp_path) -> None:
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "zjtx", "manage", "migrate", "-v", "0"], env=env, check=True)
    job = _py(env, "submit", "3")["id"]
    worker = subprocess.Popen([sys.executable, "-m", "zjtx", "worker", "--no-schedule", "--interval", "0.2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        state = _py(env, "show", job)
        while not (state["status"] == "running" and state["processed"] > 0) and time.monotonic() < deadline:
            time.sleep(0.3)
            state = _py(env, "show", job)
        assert state["status"] == "running" and state["worker"].endswith(f":{worker.pid}"), state
        os.killpg(worker.pid, signal.SIGKILL)  # the server is switched off mid-job
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert _py(env, "show", job)["status"] == "running"  # nobody has noticed yet
    subprocess.run([sys.executable, "-m", "zjtx", "worker", "--once", "--no-schedule"], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=180)
    state = _py(env, "show", job)
    assert state["status"] == "done" and state["attempts"] == 2, state
    assert state["outcome"] == "慢任务完成（第 2 次执行）"
