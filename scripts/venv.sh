# Sourced by scripts/start and scripts/test: makes .venv and installs the project into it
# when it is missing or pyproject.toml changed. $1: the extras to install ("" or "dev").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "xqr needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    # Debian splits venv out of python3; install it when we may.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$VENV" && "$PYTHON" -m venv "$VENV"
    else
      echo "Cannot create a virtual environment: install python3-venv (apt-get install python3-venv)." >&2
      exit 1
    fi
  fi
fi
wanted="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)-${1:-base}"
if [ "$(cat "$VENV/.xqr-installed" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing xqr into .venv ..."
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT${1:+[$1]}"
  echo "$wanted" > "$VENV/.xqr-installed"
fi
