#!/usr/bin/env bash
# Static checks CI runs before the tests: types (the services' and the browser code's), lint,
# formatting, contracts, the Compose file, the Kubernetes manifests, and the OpenAPI documents of
# the tickets and web-form APIs with the console's and the widget's types generated from them
# (after the build).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$1"; }

step "types";      npx tsc -p tsconfig.json --noEmit
step "web types";  for web in services/agent-console/web services/channel-webform/web; do
                     npx tsc -p "$web/tsconfig.json" --noEmit
                   done
step "lint";       npx eslint . --max-warnings 0
step "format";     npx prettier --check . --log-level warn
step "contracts";  bash tools/check-contracts.sh
step "compose";    node tools/check-compose.mjs
step "kubernetes"; node tools/check-k8s.mjs
step "build";      npm run build --silent
step "api";        node tools/api-contract.mjs --check
