#!/usr/bin/env bash
# Regenerates the README's pictures with `latentlab --screenshot`, so they stay current.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A real X window under Xvfb where it is installed (setup.sh installs it), else Qt's offscreen platform.
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
  exec xvfb-run -a -s "-screen 0 1920x1080x24" bash "$0" "$@"
fi
if [ -n "${DISPLAY:-}" ]; then export QT_QPA_PLATFORM=xcb; else export QT_QPA_PLATFORM=offscreen; fi
export LATENTLAB_SETTINGS="$(mktemp -d)/settings.ini"
.venv/bin/latentlab --data mnist5k --model vae --train-steps 700 --set scatter.focus=0.5,-1 --screenshot docs/images/main-window.png
.venv/bin/latentlab --data ring8 --model vae --train-steps 1500 --screenshot docs/images/toy-vae.png
# The lecture's three latent spaces: a plain autoencoder, a VAE, and a VAE with beta = 0.
.venv/bin/latentlab --data mnist5k --model autoencoder --train-steps 1500 --set scatter.focus=0,0 \
  --screenshot docs/images/latent-autoencoder.png
.venv/bin/latentlab --data mnist5k --model vae --train-steps 1500 --set scatter.focus=0,0 --set scatter.overlays=prior \
  --screenshot docs/images/latent-vae.png
.venv/bin/latentlab --data mnist5k --model vae --set model.beta=0 --train-steps 1500 --set scatter.focus=0,0 --set scatter.overlays=prior \
  --screenshot docs/images/latent-vae-beta0.png
.venv/bin/latentlab --data mnist5k --model vae --train-steps 1500 --set scatter.overlays=manifold \
  --screenshot docs/images/latent-manifold.png
# Autoencoder against VAE: the same two digits interpolated in both (the lecture's charge against
# plain autoencoders). The autoencoder is trained headless first, then shown beside the live VAE.
tmp=$(mktemp -d)
.venv/bin/latentlab train --model autoencoder --data mnist5k --epochs 40 --quiet --out "$tmp/ae.safetensors"
.venv/bin/latentlab --data mnist5k --model vae --train-steps 1500 --set window.panel=interpolation --panel-only --set interpolation.examples=4,17 \
  --set interpolation.compare="$tmp/ae.safetensors" --screenshot docs/images/interpolation.png
# Denoising autoencoders: the walkback chain dock, a pair trained without and with walkback on the ring (the
# measured recipe: corruption sigma 0.15, the window's default walkback steps), 1,000 chains from data after
# 100 steps; and one image chain's filmstrip on MNIST-5k.
.venv/bin/latentlab --data ring8 --model dae --set model.noise=0.15 --set window.panel=walkback --panel-only \
  --set walkback.pair=train --set walkback.t=100 \
  --screenshot docs/images/walkback-ring.png
.venv/bin/latentlab --data mnist5k --model dae --train-steps 1500 --set window.panel=walkback --set walkback.t=30 \
  --screenshot docs/images/walkback-digits.png
# MMD: an MMD net on the ring, its samples against held-out data.
.venv/bin/latentlab --data ring8 --model mmdnet --train-steps 600 --set window.panel=mmd --panel-only --set mmd.test=on \
  --screenshot docs/images/mmd-panel.png
# MLE against MAP: the Parametric fits dock, a Gaussian fitted to n = 10 generated points.
.venv/bin/latentlab --data ring8 --set window.panel=parametric --panel-only --set parametric.n=10 --window-size 1100x520 \
  --screenshot docs/images/parametric-fits.png
# The Samples dock, the dark theme, and a handout strip from the command line.
.venv/bin/latentlab --data mnist5k --model vae --train-steps 1500 --set window.panel=samples --screenshot docs/images/samples.png
.venv/bin/latentlab --checkpoint pretrained:vae-mnist5k-2d --set window.theme=dark --set scatter.focus=0.5,-1 \
  --set scatter.overlays=density --screenshot docs/images/dark-theme.png
.venv/bin/latentlab interpolate pretrained:vae-mnist5k-2d --from 4 --to 17 --steps 10 --originals \
  --out "$tmp/strip.png"
.venv/bin/python -c "from PIL import Image; i = Image.open('$tmp/strip.png'); i.resize((i.width * 3, i.height * 3), Image.NEAREST).save('docs/images/cli-interpolate.png')"
# Following a run: two torchrun processes train a VAE into a run directory while the window watches it.
run="$tmp/run"
.venv/bin/torchrun --standalone --nproc-per-node 2 -m latentlab train --data mnist5k --epochs 300 \
  --run-dir "$run" --log-every 5 --quiet >/dev/null 2>&1 &
trainer=$!
until [ -f "$run/checkpoints/step-00000720.safetensors" ]; do sleep 1; done  # 20 epochs in
.venv/bin/latentlab --follow "$run" --set scatter.focus=0.5,-1 --window-size 1600x1000 --screenshot docs/images/follow-run.png
kill "$trainer"; wait "$trainer" || true
# The first run (nothing remembered: the shipped 2-D VAE, the Lessons dock, the "start here" card) at both sizes.
for size in 1366x768 1920x1080; do
  LATENTLAB_SETTINGS="$tmp/first-$size.ini" .venv/bin/latentlab --window-size "$size" \
    --screenshot "docs/images/default-layout-$size.png"
done
# A saved view (prior and density overlays, the 200 first 3s selected, a decoded point), reopened with --view;
# then in presentation mode at both sizes.
.venv/bin/python - "$tmp/lab.json" <<'PY'
import sys

from latentlab.state.app import AppState
from latentlab.state.views import save_view

app = AppState()
assert app.session.open_checkpoint("pretrained:vae-mnist5k-2d")
app.set_text("scatter.overlays", "prior,density")
app.set("scatter.focus", (1.0, 1.5))
app.session.set_selection((app.session.dataset.train_y == 3).nonzero().flatten()[:200].tolist())
save_view(app, sys.argv[1])
PY
.venv/bin/latentlab --view "$tmp/lab.json" --window-size 1920x1080 --screenshot docs/images/saved-view.png
.venv/bin/latentlab --view "$tmp/lab.json" --set window.presentation=on --window-size 1920x1080 \
  --screenshot docs/images/presentation-mode.png
.venv/bin/latentlab --view "$tmp/lab.json" --set window.presentation=on --window-size 1366x768 \
  --screenshot docs/images/presentation-mode-1366x768.png
# Lessons: the first step of each, as a class sees it on a projector-sized window.
for n in 1 2 3 4 5 6; do
  .venv/bin/latentlab --set window.lesson="$n" --window-size 1600x1000 --screenshot "docs/images/lesson-$n.png"
done
# The shipped shapes VAE: its codes along z4 and z7 coloured by the true hue, with thumbnails and a decoded point
# (at z4 = -2, z7 = 1.5, the other dimensions 0); its traversals.
.venv/bin/latentlab --checkpoint pretrained:vae-shapes-8d --set scatter.colour_by=meta:hue --set scatter.sprites=on \
  --set scatter.axis_x=4 --set scatter.axis_y=7 --set scatter.focus=0,0,0,0,-2,0,0,1.5 --window-size 1600x1000 \
  --screenshot docs/images/shapes-hue.png
.venv/bin/python scripts/shapes_factors.py
