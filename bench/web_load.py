"""Load harness of the web tier (loopback only; bounded in requests and time; stops by itself).

    .venv/bin/python bench/web_load.py --scale 3000 --port 8610 [--requests 100] [--concurrency 1,8,32]

1. builds the demo city in its own data directory (``zjtx demo --no-serve``: evaluation stored as the
   official city-wide run) unless that directory already holds one (``--data-dir`` to reuse it);
2. creates a city administrator ``bench`` with a TOTP device (two-factor login is enforced for city
   roles: the harness computes the code from the enrolment secret, RFC 6238, as a phone would);
3. starts the production server (``zjtx serve``: gunicorn with threads, the worker beside it) on
   127.0.0.1, logs in (password, then TOTP), warms every page once;
4. for each page and each concurrency, sends ``--requests`` requests (at most ``--seconds`` per cell)
   and reports p50/p99 latency and errors, with ratios to the login page measured in the same run at the
   same concurrency (the reference: the cheapest page the server renders);
5. stops the server. Prints a Markdown table (``--out`` also writes it to a file).

An error is any non-2xx answer, a connection failure, or a body mentioning "database is locked".
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import hmac
import http.client
import itertools
import json
import os
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Load-2026!x"
SECRET_HEX = "3132333435363738393031323334353637383930"  # the enrolment secret (hex), as in a QR code


def totp(secret_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1) — what an authenticator app computes from the enrolment secret."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(bytes.fromhex(secret_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return f"{code:0{digits}d}"


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZJTX_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({"ZJTX_DATA_DIR": str(data), "POLARS_MAX_THREADS": env.get("POLARS_MAX_THREADS", "2")})
    return env


SETUP = r"""
import sys, zjtx.web as w
w.setup()
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from zjtx.apps.accounts.models import Profile
from zjtx.apps.enterprises.models import Enterprise
from zjtx.apps.evaluations.models import EvaluationRun
U = get_user_model()
u = U.objects.filter(username="bench").first() or U.objects.create_user("bench")
u.set_password(sys.argv[1]); u.save()
Profile.objects.update_or_create(user=u, defaults={"role": "city_admin"})
TOTPDevice.objects.filter(user=u).delete()
TOTPDevice.objects.create(user=u, name="bench", key=sys.argv[2], confirmed=True)
ent = Enterprise.objects.order_by("uscc").values_list("uscc", flat=True)[7]
run = EvaluationRun.objects.filter(official=True, status="done").order_by("-id").first()
rec = run.items.filter(uscc=ent).values_list("record", flat=True).first() if run else None
# a second city-wide run a year earlier, for the run comparison page (made once per data directory)
import datetime as dt
from zjtx.apps.evaluations.services import create_run, execute_run
other = EvaluationRun.objects.filter(name="压测对照批次", status="done").first()
if run and other is None:
    other = execute_run(create_run(u, run.on - dt.timedelta(days=365), name="压测对照批次").pk)
import json
print("BENCH " + json.dumps({"uscc": ent, "run": run.pk if run else None, "on": run.on.isoformat() if run else None,
                             "record": rec, "other": other.pk if other else None}, ensure_ascii=False, default=str))
"""


class Client:
    """One logged-in session shared by all threads (cookies sent explicitly; one connection per request)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                cookies: bool = True) -> tuple[int, bytes, dict[str, str]]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        h = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if cookies and self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            hdrs = {}
            for k, v in resp.getheaders():
                if k.lower() == "set-cookie" and cookies:
                    name, _, rest = v.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
                hdrs[k.lower()] = v
            return resp.status, data, hdrs
        finally:
            conn.close()

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded",
                             "Referer": f"http://{self.host}:{self.port}{path}"})

    def login(self) -> None:
        self.request("GET", "/accounts/login/")
        status, body, _ = self.form("/accounts/login/", {"username": "bench", "password": PASSWORD})
        if b'name="token"' not in body:
            raise SystemExit(f"login: no TOTP step (HTTP {status})")
        status, body, hdrs = self.form("/accounts/login/", {"step": "token", "token": totp(SECRET_HEX)})
        if status != 302:
            raise SystemExit(f"login: TOTP refused (HTTP {status})")
        status, _, _ = self.request("GET", "/evaluations/dashboard/")
        if status != 200:
            raise SystemExit(f"login: dashboard answers {status}")


def measure(client: Client, name: str, call, n: int, conc: int, seconds: float) -> dict[str, object]:
    lat: list[float] = []
    errors = locked = 0
    first_error: list[str] = []
    deadline = time.monotonic() + seconds

    def one(_: int) -> tuple[float, bool, bool]:
        if time.monotonic() > deadline:
            return -1.0, False, False
        t = time.perf_counter()
        try:
            status, body, _ = call()
        except OSError:
            return time.perf_counter() - t, True, False
        dt = time.perf_counter() - t
        is_locked = b"database is locked" in body
        bad = not (200 <= status < 300) or is_locked
        if bad and not first_error:
            first_error.append(f"{name}: HTTP {status} {body[:300]!r}")
            print("error: " + first_error[0], file=sys.stderr)
        return dt, bad, is_locked

    with cf.ThreadPoolExecutor(conc) as pool:
        for dt, err, lk in pool.map(one, range(n)):
            if dt < 0:
                continue
            lat.append(dt)
            errors += err
            locked += lk
    lat.sort()

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(round(p * (len(lat) - 1))))] if lat else float("nan")

    return {"page": name, "c": conc, "n": len(lat), "p50": pct(0.5), "p99": pct(0.99), "errors": errors,
            "locked": locked, "mean": statistics.fmean(lat) if lat else float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=3000)
    ap.add_argument("--port", type=int, default=8610)
    ap.add_argument("--requests", type=int, default=100, help="requests per page and concurrency")
    ap.add_argument("--seconds", type=float, default=60, help="time limit per page and concurrency")
    ap.add_argument("--concurrency", default="1,8,32")
    ap.add_argument("--threads", type=int, default=8, help="server threads (zjtx serve --threads)")
    ap.add_argument("--data-dir", default=None, help="reuse (or create) this data directory")
    ap.add_argument("--pages", default="", help="comma-separated subset of pages")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="zjtx-webload-"))
    data.mkdir(parents=True, exist_ok=True)
    env = _env(data)
    py = sys.executable
    if not (data / "zjtx.sqlite3").exists():
        t = time.perf_counter()
        subprocess.run([py, "-m", "zjtx", "demo", "--no-serve", "--scale", str(args.scale)], env=env, check=True,
                       cwd=data, stdout=subprocess.DEVNULL)
        print(f"demo city ({args.scale}) built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    out = subprocess.run([py, "-c", SETUP, PASSWORD, SECRET_HEX], env=env, check=True, cwd=data,
                         capture_output=True, text=True).stdout
    info = json.loads(next(line for line in out.splitlines() if line.startswith("BENCH "))[6:])
    server = subprocess.Popen([py, "-m", "zjtx", "serve", "--host", "127.0.0.1", "--port", str(args.port),
                               "--threads", str(args.threads)], env=env, cwd=data, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        client = Client("127.0.0.1", args.port)
        until = time.monotonic() + 300
        while True:
            try:
                if client.request("GET", "/accounts/login/", cookies=False)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > until:
                raise SystemExit("server did not start")
            time.sleep(0.5)
        client.login()
        csrf = client.cookies.get("csrftoken", "")
        api_headers = {"Content-Type": "application/json", "X-CSRFToken": csrf,
                       "Referer": f"http://127.0.0.1:{args.port}/"}
        record = info["record"] or {"uscc": info["uscc"]}
        ev_body = json.dumps({"records": [record], "on": info["on"]}, ensure_ascii=False).encode()
        serial = itertools.count(1)

        def fresh_body() -> bytes:
            rec = {**record, "name": f"{record.get('name') or '压测企业'}（{next(serial)}）"}
            return json.dumps({"records": [rec], "on": info["on"]}, ensure_ascii=False).encode()

        ex_body = json.dumps({"record": record, "policy": "specialized_sme", "on": info["on"]},
                             ensure_ascii=False).encode()
        pages = {
            "login page (reference)": lambda: client.request("GET", "/accounts/login/", cookies=False),
            "dashboard": lambda: client.request("GET", "/evaluations/dashboard/"),
            "enterprise list": lambda: client.request("GET", "/enterprises/"),
            "enterprise evaluation page": lambda: client.request("GET", f"/evaluations/enterprise/{info['uscc']}/"),
            "results list": lambda: client.request("GET", "/evaluations/results/"),
            "briefing": lambda: client.request("GET", "/evaluations/briefing/"),
            "POST /api/evaluate (1 record)": lambda: client.request("POST", "/api/evaluate", ev_body, api_headers),
            # the same record under a new name each time: never answered from the API's memo of answers
            "POST /api/evaluate (1 new record)": lambda: client.request("POST", "/api/evaluate", fresh_body(),
                                                                        api_headers),
            "POST /api/explain": lambda: client.request("POST", "/api/explain", ex_body, api_headers),
        }
        if info.get("other") and info.get("run"):
            diff = f"/evaluations/runs/{info['run']}/diff/?against={info['other']}"
            pages["run comparison (first page)"] = lambda: client.request("GET", diff)
        if args.pages:
            keep = {p.strip() for p in args.pages.split(",")}
            pages = {k: v for k, v in pages.items() if k in keep or k.startswith("login")}
        for name, call in pages.items():  # warm: every aggregate computed once, caches filled
            status, body, _ = call()
            if not 200 <= status < 300:
                print(f"warning: {name} answers {status}: {body[:200]!r}", file=sys.stderr)
        rows = []
        for conc in [int(c) for c in args.concurrency.split(",")]:
            ref = None
            for name, call in pages.items():
                r = measure(client, name, call, args.requests, conc, args.seconds)
                ref = ref or r
                r["r50"], r["r99"] = r["p50"] / ref["p50"], r["p99"] / ref["p99"]
                rows.append(r)
                print(f"c={conc:<3} {name:32} n={r['n']:<4} p50={r['p50'] * 1e3:8.1f} ms  p99={r['p99'] * 1e3:8.1f} ms  "
                      f"errors={r['errors']} (×{r['r50']:.1f} / ×{r['r99']:.1f})", file=sys.stderr)
        table = ["| page | c | n | p50 ms | p99 ms | p50 ÷ login | p99 ÷ login | errors | locked |",
                 "|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            table.append(f"| {r['page']} | {r['c']} | {r['n']} | {r['p50'] * 1e3:.0f} | {r['p99'] * 1e3:.0f} | "
                         f"{r['r50']:.1f}× | {r['r99']:.1f}× | {r['errors']} | {r['locked']} |")
        text = "\n".join(table)
        print(text)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
