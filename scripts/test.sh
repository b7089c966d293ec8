#!/usr/bin/env bash
# Installs everything the tests need and runs the whole suite:
#   - Debian packages: PostgreSQL (a real server, started here), Chromium (browser tests through
#     Playwright, never a downloaded browser), a CJK font and poppler (PDF tests), Java (Spark local mode);
#   - the project with its test extras in .venv;
#   - ruff, then pytest on SQLite (everything), then the database tests again on PostgreSQL.
# Extra arguments go to the first pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
apt_ensure postgresql:'/usr/lib/postgresql/*/bin/initdb' chromium:/usr/bin/chromium \
  fonts-wqy-zenhei:/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc poppler-utils:pdftotext \
  openjdk-17-jre-headless:java
ensure_venv
echo "==> pip install -e .[test,spark]"
.venv/bin/pip install -q -e '.[test,spark]'

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
trap stop_pg EXIT
ZJTX_TEST_DATABASE_URL="$url" .venv/bin/pytest tests/web -m "postgres or postgres_only"
