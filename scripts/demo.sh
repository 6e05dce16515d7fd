#!/usr/bin/env bash
# npm run demo: install what is missing, then scan the fixture shops end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec node bin/skimwatch.mjs demo "$@"
