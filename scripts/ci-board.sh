#!/usr/bin/env bash
# CI leg for the boards, run by .ci/run after the workspace tests:
#   1. the Debian package, built from the debug binary, and its contents;
#   2. the kiosk cross-built for aarch64 with the board features (pi, linuxkms) and packaged;
#   3. the protocol crates' tests for aarch64 under qemu-user;
#   4. the protocol crates built for 32-bit ARM (armv7).
# Steps 2-3 (the aarch64 leg) and 4 (the armv7 leg) need the Rust standard library for their target, added
# with `rustup target add`, one target at a time. When a target cannot be added (no access to the Rust
# distribution server), the script FAILS, unless CI_ALLOW_NO_ARM=1: then that leg is skipped, a line
# `SKIPPED …` naming the leg and the reason is printed and appended to the file named by CI_SUMMARY_FILE
# (if set; .ci/run repeats it in its summary), and the other leg still runs if its target is there.
#   bash scripts/ci-board.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/qianjiang-kiosk-target}"
export CARGO_TERM_COLOR=never
CARGO_DEB_VERSION=3.8.0

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "ci-board: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# The package's file list, checked against what a board needs.
check_deb() {
  local deb="$1" arch="$2" listing
  listing="$(dpkg-deb -c "$deb")"
  for path in ./usr/bin/kiosk ./etc/kiosk/kiosk.toml ./etc/kiosk/kiosk.env \
      ./usr/lib/systemd/system/kiosk.service ./usr/lib/systemd/system/kiosk-hall.service \
      ./usr/lib/systemd/system/kiosk-queue.service ./usr/lib/udev/rules.d/60-kiosk.rules \
      ./usr/lib/sysusers.d/kiosk.conf ./usr/share/doc/kiosk/INSTALL.md ./usr/share/kiosk/kiosk.example.toml; do
    if ! grep -qE " ${path}\$" <<<"$listing"; then
      echo "ci-board: $deb lacks $path" >&2
      echo "$listing" >&2
      exit 1
    fi
  done
  dpkg-deb -f "$deb" Architecture | grep -qx "$arch" || { echo "ci-board: $deb is not $arch" >&2; exit 1; }
  dpkg-deb -e "$deb" "$deb.control" # the control archive unpacks (maintainer scripts, conffiles)
  dpkg-deb -I "$deb" conffiles | grep -qx /etc/kiosk/kiosk.toml || { echo "ci-board: kiosk.toml is no conffile" >&2; exit 1; }
  echo "ci-board: $(basename "$deb") ($arch, $(du -h "$deb" | cut -f1)) holds the binary, config, units, udev rules and sysusers"
}

# --- 1. Debian package from the debug build ---------------------------------------------------------------
# CI packages the debug binary (stripped) to keep the run short; cargo-deb warns that the dev profile is
# meant for releases. The board's package is a release build: see docs/INSTALL.md.
if ! cargo deb --version 2>/dev/null | grep -q " $CARGO_DEB_VERSION\$"; then
  echo "ci-board: cargo install cargo-deb $CARGO_DEB_VERSION"
  cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --quiet
fi
deb_dir="$(mktemp -d)"
trap 'rm -rf "$deb_dir"' EXIT
echo "ci-board: cargo build -p kiosk; cargo deb (dev profile)"
cargo build -p kiosk --quiet
cargo deb -p kiosk --profile dev --no-build --fast --strip --quiet --output "$deb_dir/kiosk_amd64.deb"
check_deb "$deb_dir/kiosk_amd64.deb" amd64

# --- 2.-4. ARM ---------------------------------------------------------------------------------------------
# Whether the standard library of target $1 is installed, adding it if not. When it cannot be added,
# `target_error` holds rustup's last line of output.
target_installed() {
  local installed
  installed="$(rustup target list --installed)"
  grep -qx "$1" <<<"$installed"
}
have_target() {
  target_error=""
  target_installed "$1" && return 0
  echo "ci-board: rustup target add $1"
  local out rc=0
  out="$(timeout 300 rustup target add "$1" 2>&1)" || rc=$?
  printf '%s\n' "$out"
  target_installed "$1" && return 0
  target_error="$(tail -n 1 <<<"$out") (exit status $rc)"
  return 1
}

# Leg $1 cannot run because target $2 cannot be added: fail, or with CI_ALLOW_NO_ARM=1 skip it, saying so.
no_target() {
  local line="SKIPPED the $1 leg: \`rustup target add $2\` failed, most likely no access to the Rust distribution server: $target_error"
  if [ "${CI_ALLOW_NO_ARM:-}" != 1 ]; then
    echo "ci-board: FAILED: the $1 leg cannot run: \`rustup target add $2\` failed: $target_error" >&2
    echo "ci-board: set CI_ALLOW_NO_ARM=1 to skip the ARM legs that cannot run (and list them as SKIPPED)." >&2
    exit 1
  fi
  echo "ci-board: $line"
  if [ -n "${CI_SUMMARY_FILE:-}" ]; then
    echo "$line" >>"$CI_SUMMARY_FILE"
  fi
}

add_arm64_architecture() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    apt-get update -qq
  fi
}

# GStreamer's arm64 libraries for linking the cross-built kiosk. libgstreamer-plugins-base1.0-dev:arm64 cannot
# be installed beside the amd64 one (its gir1.2 dependency is not multi-arch), and the -sys crates need only
# its pkg-config files and unversioned .so links (gstreamer-rs declares the C API itself, no headers): those
# two are taken from the downloaded package, over the arm64 runtime libraries apt installs.
add_arm64_gstreamer() {
  apt_install libgstreamer1.0-dev:arm64 libgstreamer-plugins-base1.0-0:arm64 \
    libgstreamer-plugins-bad1.0-0:arm64 liborc-0.4-dev:arm64 zlib1g-dev:arm64
  local lib=/usr/lib/aarch64-linux-gnu
  [ -f "$lib/pkgconfig/gstreamer-video-1.0.pc" ] && [ -e "$lib/libgstvideo-1.0.so" ] &&
    [ -f "$lib/pkgconfig/gstreamer-webrtc-1.0.pc" ] && [ -e "$lib/libgstwebrtc-1.0.so" ] && return 0
  local tmp
  tmp="$(mktemp -d)"
  # plugins-base: video, app, pbutils, sdp; plugins-bad: webrtc (the video call)
  (cd "$tmp" && apt-get download -qq libgstreamer-plugins-base1.0-dev:arm64 \
    libgstreamer-plugins-bad1.0-dev:arm64 2>/dev/null)
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
  cp -n "$tmp"/x"$lib"/pkgconfig/*.pc "$lib/pkgconfig/"
  cp -an "$tmp"/x"$lib"/*.so "$lib/"
  rm -rf "$tmp"
}

# --- 2.-3. aarch64: the kiosk with the board features, its package, the protocol tests under qemu-user ---
aarch64_leg="aarch64 (kiosk cross build with pi and linuxkms, arm64 package, protocol tests under qemu-user)"
if have_target aarch64-unknown-linux-gnu; then
  add_arm64_architecture
  apt_install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user \
    libfontconfig-dev:arm64 libinput-dev:arm64 libxkbcommon-dev:arm64 libudev-dev:arm64
  add_arm64_gstreamer

  echo "ci-board: cargo build --target aarch64-unknown-linux-gnu -p kiosk --features pi,linuxkms"
  cargo build --target aarch64-unknown-linux-gnu -p kiosk --features pi,linuxkms --quiet
  cargo deb -p kiosk --target aarch64-unknown-linux-gnu --profile dev --no-build --fast --strip --quiet \
    --output "$deb_dir/kiosk_arm64.deb"
  check_deb "$deb_dir/kiosk_arm64.deb" arm64

  # The runner in .cargo/config.toml runs the test binaries under qemu-aarch64 and sets
  # KIOSK_TEST_EMULATED, which makes the tests that need a real tty or a spawned binary skip, saying why.
  echo "ci-board: cargo test --target aarch64-unknown-linux-gnu -p ticket-printer -p id-reader -p code-scanner (qemu-user)"
  cargo test --target aarch64-unknown-linux-gnu -p ticket-printer -p id-reader -p code-scanner
else
  no_target "$aarch64_leg" aarch64-unknown-linux-gnu
fi

# --- 4. armv7: the protocol crates for 32-bit ARM terminals --------------------------------------------------
armv7_leg="armv7 (protocol crates built for 32-bit ARM)"
if have_target armv7-unknown-linux-gnueabihf; then
  apt_install gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
  echo "ci-board: cargo build --target armv7-unknown-linux-gnueabihf -p ticket-printer -p id-reader -p code-scanner"
  cargo build --target armv7-unknown-linux-gnueabihf -p ticket-printer -p id-reader -p code-scanner --quiet
else
  no_target "$armv7_leg" armv7-unknown-linux-gnueabihf
fi
echo "ci-board: done"
