# Sourced by the scripts in this folder: make sure .venv exists and holds tracegraph
# (editable) with the extras named in $TG_EXTRAS, reinstalling only when pyproject.toml changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=".venv/.tracegraph-installed${TG_EXTRAS:+-$TG_EXTRAS}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${TG_EXTRAS:+[$TG_EXTRAS]}"
    touch "$stamp"
fi
