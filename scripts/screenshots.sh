#!/usr/bin/env bash
# Regenerates the README's pictures with `latentlab --screenshot` (offscreen), so they stay current.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen LATENTLAB_SETTINGS="$(mktemp -d)/settings.ini"
.venv/bin/latentlab --data mnist5k --model vae --train-steps 700 --screenshot docs/images/main-window.png
.venv/bin/latentlab --data ring8 --model vae --train-steps 1500 --screenshot docs/images/toy-vae.png
