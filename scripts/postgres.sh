#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL cluster for the zjtx tests.
#
#   scripts/postgres.sh start        → initdb in a temp dir, start on 127.0.0.1:<free port>, create DB "zjtx",
#                                     print the DATABASE_URL on stdout (the data dir goes to stderr)
#   scripts/postgres.sh stop DIR     → stop the cluster in DIR and delete DIR
#
# Needs Debian's postgresql package (apt-get install -y postgresql). Root cannot run postgres, so when
# run as root the server runs as the "postgres" OS user (runuser -u postgres).
# Example:
#   export ZJTX_TEST_DATABASE_URL="$(scripts/postgres.sh start 2>/tmp/pg.env)"
#   .venv/bin/pytest tests/web
#   scripts/postgres.sh stop "$(sed -n 's/^ZJTX_PG_DIR=//p' /tmp/pg.env)"
set -euo pipefail

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "postgres.sh: PostgreSQL not found; install it with: apt-get install -y postgresql" >&2
  exit 2
fi

as_pg() {
  if [[ "$(id -u)" == "0" ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd="${1:-start}"
case "$cmd" in
  start)
    dir="$(mktemp -d /tmp/zjtx-pg.XXXXXX)"
    if [[ "$(id -u)" == "0" ]]; then chown postgres:postgres "$dir"; fi
    chmod 700 "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
    as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres zjtx
    echo "ZJTX_PG_DIR=$dir" >&2
    echo "postgres://postgres@127.0.0.1:$port/zjtx"
    ;;
  stop)
    dir="${2:?usage: postgres.sh stop DIR}"
    [[ "$dir" == /tmp/zjtx-pg.* ]] || { echo "postgres.sh: refusing to remove $dir" >&2; exit 2; }
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
