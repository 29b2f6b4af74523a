#!/usr/bin/env bash
# Board figures for the README ("On the board"): startup time to the first rendered frame and resident
# memory of the x86-64 release binary under Xvfb with the software renderer and the full default content,
# and the size of the aarch64 release binary (stripped and not).
#   bash scripts/measure-startup.sh            # both
#   bash scripts/measure-startup.sh startup    # only the startup figures
#   bash scripts/measure-startup.sh size       # only the aarch64 size (needs the cross toolchain, INSTALL.md)
# Needs: xvfb (apt-get install xvfb). Release builds take several minutes each on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
what="${1:-all}"
runs="${RUNS:-5}"

if [[ "$what" == all || "$what" == startup ]]; then
  cargo build --release -p kiosk --quiet
  bin="$target_dir/release/kiosk"
  work="$(mktemp -d)"
  trap 'kill "$xvfb_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
  display=":$((90 + RANDOM % 100))"
  Xvfb "$display" -screen 0 1080x1920x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 100); do [[ -S "/tmp/.X11-unix/X${display#:}" ]] && break; sleep 0.1; done
  echo "kiosk release binary: $(du -h "$bin" | cut -f1); Xvfb $display 1080x1920, software renderer"
  echo "runs: each with a new data directory (queue database and content store created at start)"
  for i in $(seq "$runs"); do
    mkdir -p "$work/run$i"
    cat >"$work/run$i/kiosk.toml" <<TOML
[ui]
window_size = "1080x1920"
[storage]
data_dir = "$work/run$i/data"
TOML
    DISPLAY="$display" SLINT_BACKEND=winit-software RUST_LOG=warn \
      "$bin" --config "$work/run$i/kiosk.toml" --exit-after-first-frame | tee -a "$work/results.txt"
  done
  median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  ms="$(awk '/^startup:/ { print $5 }' "$work/results.txt" | median)"
  rss="$(awk '/^startup:/ { print $8 }' "$work/results.txt" | median)"
  hwm="$(awk '/^startup:/ { print $11 }' "$work/results.txt" | median)"
  echo "median of $runs: first frame $ms ms, VmRSS $((rss / 1024)) MiB, VmHWM $((hwm / 1024)) MiB"
fi

if [[ "$what" == all || "$what" == size ]]; then
  cargo build --release --target aarch64-unknown-linux-gnu -p kiosk --features pi,linuxkms --quiet
  bin="$target_dir/aarch64-unknown-linux-gnu/release/kiosk"
  stripped="$(mktemp)"
  aarch64-linux-gnu-strip -o "$stripped" "$bin"
  printf 'aarch64 release kiosk (pi, linuxkms): %s bytes (%s), stripped %s bytes (%s)\n' \
    "$(stat -c %s "$bin")" "$(du -h "$bin" | cut -f1)" "$(stat -c %s "$stripped")" "$(du -h "$stripped" | cut -f1)"
  rm -f "$stripped"
fi
