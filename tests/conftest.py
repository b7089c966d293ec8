from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("POLARS_MAX_THREADS", "2")

# The README's main job as the tests run it: a small city (the fresh-install stage of scripts/test.sh
# runs the same job at a larger scale, without extras).
MAIN_JOB_SCALE = 400


@pytest.fixture(scope="session")
def demo_city():
    """``demo_city(seed=…, scale=…, today=…)``: ``zjtx.demo.generate`` with those arguments, generated
    once per session and shared by every test that asks for the same city. A generation costs tens of
    seconds whatever the scale (the titles are granted by evaluating the rules batch by batch), and a
    city is deterministic for its arguments (tests/demo/test_demo_generator.py::test_determinism); the
    tests only read it (Polars frames are immutable)."""
    from zjtx.demo import generate
    from zjtx.demo.targets import CALIBRATED_THROUGH, DEFAULT_SCALE, DEFAULT_SEED

    cities: dict[tuple[int, int, date], object] = {}

    def city(seed: int = DEFAULT_SEED, scale: int = DEFAULT_SCALE, today: date | None = None):
        key = (seed, scale, max(today or date.today(), CALIBRATED_THROUGH))  # as generate() reads its arguments
        if key not in cities:
            cities[key] = generate(*key)
        return cities[key]

    return city


@pytest.fixture(scope="session")
def default_city(demo_city):
    """The demo city at the default seed and scale (the calibrated one), generated once per session."""
    return demo_city()


def main_job_env(data: Path) -> dict[str, str]:
    """The environment a user's shell gives ``zjtx``: none of the test run's ZJTX_/DJANGO_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZJTX_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({"ZJTX_DATA_DIR": str(data), "COLUMNS": "200", "PYTHONUNBUFFERED": "1"})
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def main_job(tmp_path_factory):
    """``zjtx demo --scale 400 --port …``: the README's main job in its own data directory — it creates
    the admin, loads the demo city, runs the full evaluation, prints its tables and serves with the
    production server. Run once per session: the first-contact browser tests use the server, the
    command's tests read its output and work on a copy of its data directory (``main_job_copy``)."""
    data = tmp_path_factory.mktemp("main-job")
    port = _free_port()
    log_path = data / "main-job.log"
    log = log_path.open("w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "zjtx", "demo", "--scale", str(MAIN_JOB_SCALE), "--port",
                             str(port)], cwd=data, env=main_job_env(data), stdout=log, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        until = time.monotonic() + 600
        while time.monotonic() < until:
            assert proc.poll() is None, log_path.read_text()
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=5).read()
                break
            except OSError:
                time.sleep(1)
        else:
            raise AssertionError("the main job did not serve: " + log_path.read_text())
        yield {"base": base, "log": log_path.read_text(), "data": data, "scale": MAIN_JOB_SCALE}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def copy_data_dir(src: Path, dst: Path) -> Path:
    """A consistent copy of a data directory whose SQLite database a running server may hold open (WAL):
    the files as they are, the database through SQLite's online backup."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.sqlite3", "*.sqlite3-wal", "*.sqlite3-shm", "*.log"))
    for db in src.glob("*.sqlite3"):
        with sqlite3.connect(db) as source, sqlite3.connect(dst / db.name) as target:
            source.backup(target)
        source.close()
        target.close()
    return dst


@pytest.fixture(scope="module")
def main_job_copy(main_job, tmp_path_factory):
    """The main job's output and a copy of its data directory, for tests that run the job again on it
    (the served original stays as the first run left it)."""
    data = copy_data_dir(main_job["data"], tmp_path_factory.mktemp("main-job-copy") / "data")
    return {**main_job, "data": data}
