#!/usr/bin/env bash
# Regenerates the TypeScript contracts from proto/ into libs/contracts/src/gen.
#   bash proto/generate.sh            regenerate in place (npm run contracts:generate)
#   bash proto/generate.sh <dir>      generate into <dir>/libs/contracts/src/gen instead (used by
#                                     tools/check-contracts.sh to find stale generated code)
# Works from any directory; needs node_modules (npm ci) for buf and protoc-gen-es.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_base="$(mkdir -p "${1:-$root}" && cd "${1:-$root}" && pwd)"
buf="$root/node_modules/.bin/buf"
[[ -x "$buf" && -x "$root/node_modules/.bin/protoc-gen-es" ]] || {
  echo "proto/generate.sh: buf or protoc-gen-es missing: run npm ci first" >&2
  exit 1
}

cd "$root" # buf.gen.yaml paths are relative to the repository root
rm -rf "$out_base/libs/contracts/src/gen"
"$buf" generate proto --template proto/buf.gen.yaml --output "$out_base"
