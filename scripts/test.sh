#!/usr/bin/env bash
# npm test: install what is missing, then run every vitest project (unit, integration, e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec npx vitest run "$@"
