#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
if [ $# -eq 0 ]; then  # the whole suite: the linters first (configured in pyproject.toml)
  .venv/bin/ruff check latentlab tests bench scripts
  .venv/bin/mypy
fi
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
