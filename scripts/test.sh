#!/usr/bin/env bash
# npm test: install what is missing (dependencies, dist/, Chromium), then run every vitest project
# (unit, integration, e2e); the e2e tests spawn bin/skimwatch.mjs, which runs dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec npx vitest run "$@"
