#!/usr/bin/env bash
# Installs what skimwatch needs: npm dependencies and the compiled CLI in dist/ (each when missing
# or stale), and a Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "skimwatch: installing npm dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi
# dist/build.json records every input's size and mtime: the check is one stat per source file
node scripts/build.mjs --if-stale >&2
[ "${1:-}" = "--no-browser" ] && exit 0

if [ -n "${SKIMWATCH_CHROMIUM:-}" ]; then
  [ -x "$SKIMWATCH_CHROMIUM" ] && exit 0
  echo "skimwatch: SKIMWATCH_CHROMIUM=$SKIMWATCH_CHROMIUM is not an executable file" >&2
  exit 1
fi
[ -x /usr/bin/chromium ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "skimwatch: installing Chromium from Debian's packages…" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  exit 0
fi

cat >&2 <<'MSG'
skimwatch: no Chromium found. Install one and run again:
  Debian/Ubuntu:  sudo apt-get install chromium
  elsewhere:      npx playwright install chromium
  or point SKIMWATCH_CHROMIUM at a Chromium or Chrome executable.
MSG
exit 1
