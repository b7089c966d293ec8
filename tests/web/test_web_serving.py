"""The platform served as production software: the real WSGI server (gunicorn, threads) on a free
loopback port, embedded defaults (DEBUG off, generated secret key), WhiteNoise static files, security
headers, Chinese error pages with the site's navigation, JSON errors under /api/, and a refusal to
start without a secret key. Each server runs in its own process with its own data directory."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZJTX_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({"ZJTX_DATA_DIR": str(data_dir), "PYTHONPATH": str(HERE), **extra})
    return env


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def _wait(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("server did not come up")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``zjtx serve`` — the production server — with the test URL module, DEBUG off (the default)."""
    data = tmp_path_factory.mktemp("serve-data")
    port = _free_port()
    marker = data / "companion.txt"
    code = ("import sys, zjtx.web as w; w.serve('127.0.0.1', int(sys.argv[1]), threads=4, companions=[[sys.executable, "
            "'-c', 'import pathlib, signal, sys, time; p = pathlib.Path(sys.argv[1]); p.write_text(\"started\"); "
            "signal.signal(signal.SIGTERM, lambda *a: (p.write_text(\"stopped\"), sys.exit(0))); time.sleep(600)', "
            "sys.argv[2]]])")
    proc = subprocess.Popen([sys.executable, "-c", code, str(port), str(marker)], cwd=data,
                            env=_env(data, DJANGO_SETTINGS_MODULE="serving.settings"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/accounts/login/", proc)
        yield {"base": base, "data": data, "marker": marker, "proc": proc}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_served_by_gunicorn_with_security_headers(server) -> None:
    status, headers, body = _get(server["base"] + "/accounts/login/")
    assert status == 200 and "登录" in body.decode()
    assert headers["server"].startswith("gunicorn")
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]
    assert "strict-transport-security" not in headers  # plain HTTP on loopback: no HSTS (see docs/platform.md)


def test_secret_key_generated_once_with_mode_0600(server) -> None:
    key = server["data"] / "secret_key"
    assert key.exists() and len(key.read_text().strip()) >= 50
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_404_page_in_chinese_with_navigation_and_no_debug(server) -> None:
    status, headers, body = _get(server["base"] + "/no-such-page/")
    page = body.decode()
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert "页面不存在" in page and "中山市专精特新梯度培育平台" in page and 'href="/"' in page
    for leak in ("URLconf", "Page not found", "DEBUG", "Traceback", "urlpatterns"):
        assert leak not in page


def test_500_page_in_chinese_without_traceback(server) -> None:
    status, headers, body = _get(server["base"] + "/test-boom/")
    page = body.decode()
    assert status == 500 and "服务器内部错误" in page and "中山市专精特新梯度培育平台" in page
    assert "请求编号" in page
    for leak in ("SECRET-TRACEBACK-MARKER", "hunter2", "Traceback", "RuntimeError", "SECRET_KEY", "settings"):
        assert leak not in page


def test_api_errors_are_json_in_chinese(server) -> None:
    status, headers, body = _get(server["base"] + "/api/no-such-endpoint")
    assert status == 404 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["detail"].startswith("未找到：")
    status, headers, body = _get(server["base"] + "/api/test-boom")
    data = json.loads(body)
    assert status == 500 and headers["content-type"].startswith("application/json")
    assert data["detail"].startswith("服务器内部错误") and "hunter2" not in body.decode()


def test_static_files_by_whitenoise(server) -> None:
    status, headers, body = _get(server["base"] + "/static/zjtx/site.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and b"--blue" in body
    assert "max-age=" in headers["cache-control"]
    status, headers, body = _get(server["base"] + "/static/zjtx/site.css", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip" and b"--blue" in gzip.decompress(body)
    status, _, _ = _get(server["base"] + "/static/admin/css/base.css")  # collected from Django's apps
    assert status == 200
    assert (server["data"] / "static" / "zjtx" / "site.css").exists()  # collectstatic ran at start


def test_companion_process_runs_beside_the_server_and_stops_with_it(server) -> None:
    assert server["marker"].read_text() == "started"
    proc = server["proc"]
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 20
    while server["marker"].read_text() != "stopped" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server["marker"].read_text() == "stopped"


def test_refuses_to_start_without_a_secret_key(tmp_path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    port = _free_port()
    out = subprocess.run([sys.executable, "-m", "zjtx", "serve", "--port", str(port)], cwd=tmp_path,
                         env=_env(blocker / "data"), capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "平台拒绝在没有密钥的情况下启动" in out.stdout and "ZJTX_SECRET_KEY" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    with socket.socket() as s:  # nothing listens
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_a_short_secret_key_is_refused(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "zjtx", "manage", "check"], cwd=tmp_path,
                         env=_env(tmp_path / "data", ZJTX_SECRET_KEY="short"), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2 and "ZJTX_SECRET_KEY 太短" in out.stdout


def test_manage_passes_through_to_django(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-m", "zjtx", "manage", "check", "--deploy"], cwd=tmp_path,
                         env=_env(tmp_path / "data"), capture_output=True, text=True, timeout=120)
    text = out.stdout + out.stderr
    # clean apart from what a TLS-terminating deployment sets (ZJTX_HTTPS=1): see docs/platform.md
    found = sorted({w for w in ("W004", "W008", "W012", "W016") if w in text})
    others = [line for line in text.splitlines() if "security.W" in line and not any(w in line for w in found)]
    assert found == ["W004", "W008", "W012", "W016"] and not others
    out = subprocess.run([sys.executable, "-m", "zjtx", "manage", "check", "--deploy"], cwd=tmp_path,
                         env=_env(tmp_path / "data", ZJTX_HTTPS="1"), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "no issues" in out.stdout
