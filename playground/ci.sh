#!/usr/bin/env bash
# CI for the playground, run from the repository root with HERALD_BIN
# naming a built server (default: target/debug/herald):
#   HERALD_BIN=target/debug/herald bash playground/ci.sh
# Checks that the typed operations and the committed build are fresh, then
# drives Debian's Chromium against a real Herald.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
export HERALD_BIN="${HERALD_BIN:-$root/target/debug/herald}"
case "$HERALD_BIN" in
  /*) ;;
  *) HERALD_BIN="$root/$HERALD_BIN" ;;
esac

log() { printf '\n== playground: %s ==\n' "$*"; }

if [ ! -x "$HERALD_BIN" ]; then
  echo "HERALD_BIN=$HERALD_BIN is not an executable; build the server first (cargo build)" >&2
  exit 1
fi

if [ ! -x /usr/bin/chromium ]; then
  log "installing Chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q chromium
fi

cd playground

log "npm ci"
npm ci --no-audit --no-fund

log "check: generated types are fresh, TypeScript compiles"
npm run check

log "build: the committed dist/ is what the sources build to"
npm run build
git diff --exit-code --stat -- dist
untracked=$(git status --porcelain --untracked-files=all -- dist)
if [ -n "$untracked" ]; then
  echo "dist/ differs from a fresh build; run npm run build and commit dist/:" >&2
  echo "$untracked" >&2
  exit 1
fi

log "browser tests against $HERALD_BIN"
npm test
