# Shared by the test_gen_*.sh scripts: the binary, a scratch folder removed on exit, and failure helpers.
set -euo pipefail
IGW_BIN=${IGW_BIN:?IGW_BIN must name the igw binary}
IGW_SOURCE_DIR=${IGW_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
IGW_E2E_DIR=${IGW_E2E_DIR:-$IGW_SOURCE_DIR/tests/e2e}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() { echo "ok   $*"; }

# The flags of the non-default golden set, shared by the generators that accept them.
NAMING=(--name llm-gw)
SCRAPE=(--interval 30s --scrape-timeout 20s)
ALERTING=(--error-rate-threshold 0.02 --p95-latency-threshold-ms 2000 --tool-failure-threshold 0.25
  --alert-for 2m --runbook-base-url https://runbooks.example.com/igw)
