#!/usr/bin/env bash
# The main job on embedded defaults: install zjtx, build the SQLite database, load the demo city,
# evaluate it, print the summary and the 2021 briefing, and serve http://127.0.0.1:8000.
# Extra arguments go to `zjtx demo` (e.g. --no-serve, --scale 3000, --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
apt_ensure fonts-wqy-zenhei:/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
ensure_venv
echo "==> pip install -e ."
.venv/bin/pip install -q -e .
exec .venv/bin/zjtx demo "$@"
