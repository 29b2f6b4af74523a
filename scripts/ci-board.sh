#!/usr/bin/env bash
# CI leg for the boards, run by .ci/run after the workspace tests:
#   1. the Debian package, built from the debug binary, and its contents;
#   2. the kiosk cross-built for aarch64 with the board features (pi, linuxkms) and packaged;
#   3. the protocol crates' tests for aarch64 under qemu-user;
#   4. the protocol crates built for 32-bit ARM (armv7).
# Steps 2-4 need the Rust standard library for those targets; when `rustup target add` cannot fetch it
# (no access to the Rust distribution server), they are skipped with a message.
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
if ! timeout 300 rustup target add aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf; then
  echo "ci-board: SKIPPED the ARM builds and qemu tests: rustup could not fetch the aarch64/armv7 standard"
  echo "ci-board: library (no access to the Rust distribution server from this machine)."
  exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
fi
apt_install gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user \
  libfontconfig-dev:arm64 libinput-dev:arm64 libxkbcommon-dev:arm64 libudev-dev:arm64

echo "ci-board: cargo build --target aarch64-unknown-linux-gnu -p kiosk --features pi,linuxkms"
cargo build --target aarch64-unknown-linux-gnu -p kiosk --features pi,linuxkms --quiet
cargo deb -p kiosk --target aarch64-unknown-linux-gnu --profile dev --no-build --fast --strip --quiet \
  --output "$deb_dir/kiosk_arm64.deb"
check_deb "$deb_dir/kiosk_arm64.deb" arm64

# The runner in .cargo/config.toml runs the test binaries under qemu-aarch64 and sets
# KIOSK_TEST_EMULATED, which makes the tests that need a real tty or a spawned binary skip, saying why.
echo "ci-board: cargo test --target aarch64-unknown-linux-gnu -p ticket-printer -p id-reader (qemu-user)"
cargo test --target aarch64-unknown-linux-gnu -p ticket-printer -p id-reader

echo "ci-board: cargo build --target armv7-unknown-linux-gnueabihf -p ticket-printer -p id-reader"
cargo build --target armv7-unknown-linux-gnueabihf -p ticket-printer -p id-reader --quiet
echo "ci-board: done"
