#!/usr/bin/env bash
# Checks the Kafka contracts (docs/adr/0002-contracts-protobuf.md):
#   1. buf lint on proto/;
#   2. no breaking change against the last committed proto/ (HEAD~1, or HEAD while proto/ has
#      uncommitted changes), skipped on the commit that first adds proto/;
#   3. libs/contracts/src/gen is what proto/ generates today.
# Runs every check and fails if any failed. Works from any directory; needs node_modules.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
buf="node_modules/.bin/buf"
if [[ ! -x "$buf" ]]; then
  echo "check-contracts: $buf missing: run npm ci first" >&2
  exit 1
fi

failed=0
fail() {
  echo "check-contracts: $*" >&2
  failed=1
}

lint() {
  echo "check-contracts: buf lint"
  "$buf" lint proto || fail "buf lint found problems in proto/"
}

# Sets baseline_sha to the commit to compare proto/ with, or skip_reason when there is none.
# Fails when there should be one but it cannot be read.
baseline_sha=""
skip_reason=""
find_baseline() {
  if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    skip_reason="not a git checkout"
    return
  fi
  local ref="HEAD~1"
  # Uncommitted changes to proto/ are checked against what is committed, so that they are
  # compared with the latest contracts rather than the ones before.
  if git rev-parse --verify -q HEAD >/dev/null &&
    [[ -n "$(git status --porcelain --untracked-files=all -- proto)" ]]; then
    ref="HEAD"
  fi
  if ! baseline_sha="$(git rev-parse --verify -q "$ref^{commit}")"; then
    baseline_sha=""
    if [[ "$(git rev-parse --is-shallow-repository)" == true ]]; then
      fail "shallow clone has no $ref to compare proto/ with: fetch at least 2 commits"
    else
      skip_reason="no previous commit (first landing of proto/)"
    fi
  elif ! git cat-file -e "$baseline_sha:proto/buf.yaml" 2>/dev/null; then
    baseline_sha=""
    skip_reason="$ref has no proto/ (first landing of proto/)"
  fi
}

breaking() {
  echo "check-contracts: buf breaking"
  find_baseline
  if [[ -z "$baseline_sha" ]]; then
    [[ -n "$skip_reason" ]] && echo "check-contracts: breaking-change check skipped: $skip_reason"
    return
  fi
  echo "check-contracts: comparing proto/ with ${baseline_sha:0:12}"
  "$buf" breaking proto --against "$(git rev-parse --git-common-dir)#ref=$baseline_sha,subdir=proto" ||
    fail "breaking change in proto/: make it a new version (firstline.v2, *.v2 topics) instead"
}

stale() {
  echo "check-contracts: generated code"
  local tmp
  tmp="$(mktemp -d)"
  if ! bash proto/generate.sh "$tmp"; then
    fail "proto/generate.sh failed"
  elif ! diff -r --brief "$tmp/libs/contracts/src/gen" libs/contracts/src/gen; then
    fail "generated contracts are stale: run npm run contracts:generate"
  fi
  rm -rf "$tmp"
}

lint
breaking
stale
if ((failed)); then exit 1; fi
echo "check-contracts: ok"
