#!/usr/bin/env bash
# Debian's Chromium for the browser tests (playwright-core drives it; Playwright's own browser
# downloads are not used). Installs it with apt once and prints its path.
#
#   deploy/local/chromium.sh     install if missing, print /usr/bin/chromium
#
# Idempotent and safe to run concurrently (a lock serialises installs).
set -euo pipefail

browser=/usr/bin/chromium
exec 9>"${TMPDIR:-/tmp}/firstline-chromium.lock"
flock 9

if [[ ! -x "$browser" ]]; then
  echo "chromium: installing Debian's chromium with apt-get" >&2
  sudo=""
  [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
fi
echo "$browser"
