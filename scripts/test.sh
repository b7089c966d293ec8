#!/usr/bin/env bash
# Installs everything the tests need and runs the whole suite:
#   - Debian packages: PostgreSQL (a real server, started here), Chromium (browser tests through
#     Playwright, never a downloaded browser), a CJK font and poppler (PDF tests), Java (Spark local mode);
#   - the project with its test extras in .venv;
#   - ruff, then pytest on SQLite (everything), then the database tests again on PostgreSQL;
#   - a fresh install: a clean virtualenv with only `pip install .` (no extras) runs the README's main
#     job (`zjtx demo --no-serve`, a 3,000-enterprise city, its own data directory) and its output is
#     checked, as a new user on a fresh machine would run it.
# Extra arguments go to the first pytest run. ZJTX_SKIP_FRESH_INSTALL=1 skips the last stage.
# The fresh install's virtualenv is built in the background while the test runs go on (mostly waiting
# on downloads and disk); its main job runs after them, alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
apt_ensure postgresql:'/usr/lib/postgresql/*/bin/initdb' chromium:/usr/bin/chromium \
  fonts-wqy-zenhei:/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc poppler-utils:pdftotext \
  openjdk-17-jre-headless:java
ensure_venv

echo "==> pip install -e .[test,spark]"
.venv/bin/pip install -q -e '.[test,spark]'

# (after the editable install: both would write the same build metadata in the source tree)
repo="$(pwd)"
fresh=""
if [[ "${ZJTX_SKIP_FRESH_INSTALL:-0}" != "1" ]]; then
  fresh="$(mktemp -d /tmp/zjtx-fresh.XXXXXX)"
  echo "==> fresh install (background): pip install . (no extras) in a clean virtualenv"
  ( python3 -m venv "$fresh/venv" && "$fresh/venv/bin/python" -m pip install -q --upgrade pip \
      && "$fresh/venv/bin/pip" install -q "$repo" ) >"$fresh/install.log" 2>&1 &
  fresh_pid=$!
  trap 'kill "$fresh_pid" 2>/dev/null || true; rm -rf "$fresh"' EXIT
fi

echo "==> ruff"
.venv/bin/ruff check .

echo "==> lint-imports (layers: pyproject.toml [tool.importlinter])"
.venv/bin/lint-imports

echo "==> pytest (SQLite)"
.venv/bin/pytest "$@"

echo "==> pytest (PostgreSQL)"
pgenv="$(mktemp)"
url="$(bash scripts/postgres.sh start 2>"$pgenv")"
stop_pg() { bash scripts/postgres.sh stop "$(sed -n 's/^ZJTX_PG_DIR=//p' "$pgenv")"; rm -f "$pgenv"; }
trap 'stop_pg; [[ -z "$fresh" ]] || { kill "$fresh_pid" 2>/dev/null || true; rm -rf "$fresh"; }' EXIT
ZJTX_TEST_DATABASE_URL="$url" .venv/bin/pytest tests/web -m "postgres or postgres_only"
stop_pg
trap - EXIT
[[ -z "$fresh" ]] || trap 'kill "$fresh_pid" 2>/dev/null || true; rm -rf "$fresh"' EXIT

if [[ -z "$fresh" ]]; then
  echo "==> fresh install: skipped (ZJTX_SKIP_FRESH_INSTALL=1)"
  exit 0
fi
echo "==> fresh install: the clean virtualenv (built in the background), then the main job"
wait "$fresh_pid" || { echo "fresh install: pip install . failed" >&2; sed 's/^/    /' "$fresh/install.log" >&2; exit 1; }
cd "$fresh"
fail() { echo "fresh install: $1" >&2; sed 's/^/    /' "$2" >&2; exit 1; }
expect() { grep -q -- "$1" "$2" || fail "missing \"$1\" in the output of $3" "$2"; }

# the README's main job, without serving (own data directory; a smaller city for time)
ZJTX_DATA_DIR="$fresh/data" COLUMNS=200 "$fresh/venv/bin/zjtx" demo --no-serve --scale 3000 >demo.log 2>&1 \
  || fail "zjtx demo exited with $?" demo.log
for line in "已创建管理员 admin" "已载入演示城市" "全量评价（评价日期 $(TZ=Asia/Shanghai date +%F)" "专精特新中小企业" \
            "成功入库" "营业收入" "主流程用时"; do
  expect "$line" demo.log "zjtx demo"
done
! grep -q "Traceback" demo.log || fail "a traceback in the output of zjtx demo" demo.log
# every tier policy has enterprises that qualify today (达标 is the first number of each row)
for tier in 科技型中小企业 创新型中小企业 专精特新中小企业 '"小巨人"企业' 高新技术企业 '"四科"标准'; do
  row="$(grep -- "$tier" demo.log | head -n1)"
  qualified="$(sed -E 's/^[^0-9]*[│|] *([0-9]+) .*/\1/' <<<"$row")"
  [[ "$qualified" =~ ^[0-9]+$ && "$qualified" -gt 0 ]] || fail "no 达标 for $tier: $row" demo.log
done
[[ -f "$fresh/data/secret_key" && "$(stat -c %a "$fresh/data/secret_key")" == "600" ]] \
  || fail "no secret key with mode 0600 in the data directory" demo.log

# a second run keeps the data and says so; a date outside the history names the range
ZJTX_DATA_DIR="$fresh/data" "$fresh/venv/bin/zjtx" demo --no-serve --on 2010-01-01 >bad-on.log 2>&1 \
  && fail "--on 2010-01-01 was accepted" bad-on.log
expect "可评价的日期为 2018-01-01 至" bad-on.log "zjtx demo --on 2010-01-01"
ZJTX_DATA_DIR="$fresh/data" "$fresh/venv/bin/zjtx" demo --no-serve >again.log 2>&1 || fail "second run failed" again.log
expect "数据保留，未重新载入演示数据" again.log "a second zjtx demo"

# an optional extra that is not installed is explained, not a traceback
COLUMNS=200 "$fresh/venv/bin/zjtx" evaluate --engine spark >spark.log 2>&1 && fail "Spark ran without the extra" spark.log
expect "pip install 'zjtx\[spark\]'" spark.log "zjtx evaluate --engine spark"
! grep -q "Traceback" spark.log || fail "a traceback when the Spark extra is missing" spark.log
echo "fresh install: OK ($(grep -o '主流程用时 [0-9]* 秒' demo.log))"
