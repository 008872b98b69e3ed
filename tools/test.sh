#!/usr/bin/env bash
# The README's test command: every unit and integration test in one jest run. Integration tests
# start the project's own Kafka broker when KAFKA_BROKERS is unset (deploy/local/kafka.sh) and use
# Postgres from DATABASE_URL (default: the local server on 127.0.0.1:5432), a fresh database each.
set -uo pipefail
cd "$(dirname "$0")/.."

report="$(mktemp -t firstline-jest.XXXXXX.json)"
trap 'rm -f "$report"' EXIT

npm run build --silent || exit 1
# Suites that start built processes use this build instead of each rebuilding dist/ under the others.
export FIRSTLINE_DIST_BUILT=1
npx jest --ci --maxWorkers=2 --json --outputFile="$report" "$@"
status=$?

# One closing line in the plain form CI tools read: "tests: N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" 2>/dev/null || echo "tests: 0 passed, 1 failed"
exit $status
