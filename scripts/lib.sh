# Shared by scripts/run.sh and scripts/test.sh: system packages and the virtualenv.
# Fresh-machine assumptions: Debian, Python 3.11, root, PyPI and Debian mirrors reachable.

apt_updated=0
# apt_ensure PKG:CHECK ... — install PKG unless CHECK (a command name or a path) is already present
apt_ensure() {
  local missing=()
  for spec in "$@"; do
    local pkg="${spec%%:*}" check="${spec#*:}"
    if [[ "$check" == /* ]]; then
      compgen -G "$check" >/dev/null || missing+=("$pkg")
    else
      command -v "$check" >/dev/null 2>&1 || missing+=("$pkg")
    fi
  done
  if ((${#missing[@]})); then
    echo "==> apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if [[ $apt_updated == 0 ]]; then apt-get update -qq; apt_updated=1; fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_venv() {
  if [[ ! -x .venv/bin/python ]]; then
    python3 -c "import ensurepip, venv" 2>/dev/null || apt_ensure python3-venv:/nonexistent
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install -q --upgrade pip
}
