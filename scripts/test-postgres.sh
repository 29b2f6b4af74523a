#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the centre's tests: a new cluster in a temporary directory, reached
# only through a Unix socket in that directory (no TCP port), owned by an unprivileged user.
#
#   bash scripts/test-postgres.sh run -- cargo test -p centre   # start, run the command, stop
#   eval "$(bash scripts/test-postgres.sh start)"              # start; prints the two variables below
#   bash scripts/test-postgres.sh stop "$CENTRE_TEST_PG_DIR"     # stop (immediately) and remove it
#
# `start` prints `export CENTRE_TEST_PG_DIR=…` (the directory: data, log and socket) and
# `export CENTRE_TEST_DATABASE_URL=postgres:///postgres?host=DIR&port=PORT&user=postgres`, the variable
# the centre's tests read. As root, initdb and the server run as the `postgres` user (they refuse root);
# otherwise as the calling user. The server binaries are found with `pg_config --bindir`, else in the
# newest /usr/lib/postgresql/*/bin (Debian's `postgresql` package), else in PG_BIN.
set -euo pipefail

PORT="${CENTRE_TEST_PG_PORT:-54329}"

die() {
  echo "test-postgres: $*" >&2
  exit 1
}

bin_dir() {
  local dir="${PG_BIN:-}"
  if [ -z "$dir" ]; then
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  fi
  if [ -z "$dir" ] && command -v pg_config >/dev/null; then
    dir="$(pg_config --bindir)"
  fi
  [ -n "$dir" ] && [ -x "$dir/initdb" ] ||
    die "no PostgreSQL server binaries (install Debian's postgresql package, or set PG_BIN)"
  echo "$dir"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin dir
  bin="$(bin_dir)"
  # A short path: a Unix socket's path is limited to about 107 bytes.
  dir="$(mktemp -d /tmp/pg.XXXXXX)"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the postgres user (Debian's postgresql package makes it)"
    chown postgres: "$dir"
  fi
  if ! as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    die "initdb failed"
  fi
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-k $dir -p $PORT -c listen_addresses=''" start >/dev/null; then
    cat "$dir/log" >&2 || true
    rm -rf "$dir"
    die "the server did not start"
  fi
  echo "test-postgres: PostgreSQL ($("$bin/postgres" --version)) on socket $dir, port $PORT" >&2
  echo "export CENTRE_TEST_PG_DIR='$dir'"
  echo "export CENTRE_TEST_DATABASE_URL='postgres:///postgres?host=$dir&port=$PORT&user=postgres'"
}

stop() {
  local dir="${1:-}"
  [ -n "$dir" ] || die "stop: which directory? (CENTRE_TEST_PG_DIR)"
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start)
    start
    ;;
  stop)
    stop "${2:-${CENTRE_TEST_PG_DIR:-}}"
    ;;
  run)
    shift
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || die "run: no command (run -- CMD …)"
    eval "$(start)"
    trap 'stop "$CENTRE_TEST_PG_DIR"' EXIT
    "$@"
    ;;
  *)
    die "usage: $0 start | stop DIR | run -- CMD…"
    ;;
esac
