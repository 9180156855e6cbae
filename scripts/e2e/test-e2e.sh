#!/usr/bin/env bash
# `npm run test:e2e`: the VS Code end-to-end tests, from a fresh clone (after `npm ci`).
#   1. tools: apt chromium, Node 24, code-server, playwright-core into $E2E_TOOLS_DIR
#      (default ~/.cache/vscode-e2e-tools, outside the clone; idempotent, ~0.5 s when present)
#   2. build the extension and package relay-lint.vsix (`npm run package`)
#   3. compile the extension-host suite test/e2e/*.ts -> test/e2e/out
#   4. stage the fixture: test/e2e/workspace + a copy of examples/ -> test/e2e/out/workspace
#      (e2e-run.sh copies it again, fresh, for each suite)
#   5. one round of scripts/e2e/e2e-run.sh (code-server; extension-host mocha suite; UI suite in
#      Chromium), bounded by `timeout`; it kills code-server's process group and every process
#      still naming its run dir
#   6. with E2E_SCREENSHOTS=1 (`npm run screenshots`): copy the UI suite's screenshots to
#      docs/screenshots/
# Env: E2E_TOOLS_DIR, E2E_TIMEOUT_S (the e2e round, default 900), E2E_SETUP_TIMEOUT_S (tools,
#      default 1800), E2E_SKIP_BUILD=1 (reuse dist/, the .vsix and test/e2e/out), OUT (run dir,
#      default .e2e-out), E2E_SUITES ("exthost ui"), E2E_GREP (mocha grep), plus those of
#      e2e-run.sh. Exit status: e2e-run.sh's (0 = every suite passed; 124 = timed out).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export E2E_TOOLS_DIR=${E2E_TOOLS_DIR:-$HOME/.cache/vscode-e2e-tools}
export OUT=${OUT:-$ROOT/.e2e-out}
T0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() { printf '== test:e2e [%ss] %s\n' "$(since "$T0")" "$*"; }
times=()

step "tools ($E2E_TOOLS_DIR)"
t=$(date +%s.%N)
timeout -k 10 "${E2E_SETUP_TIMEOUT_S:-1800}" bash scripts/e2e/setup-e2e-tools.sh "$E2E_TOOLS_DIR"
times+=("tools=$(since "$t")s")
# shellcheck disable=SC1091
source "$E2E_TOOLS_DIR/env.sh"

if [ "${E2E_SKIP_BUILD:-}" != 1 ]; then
  step 'build + package relay-lint.vsix'
  t=$(date +%s.%N)
  rm -f relay-lint.vsix
  # vscode:prepublish rebuilds (minified); </dev/null: a vsce question must fail, not hang.
  timeout -k 10 300 npm run --silent package </dev/null
  times+=("package=$(since "$t")s")

  step 'compile the extension-host suite (test/e2e -> test/e2e/out)'
  t=$(date +%s.%N)
  rm -rf test/e2e/out
  timeout -k 10 300 npx --no-install tsc -p test/e2e
  times+=("compile=$(since "$t")s")
fi

step 'stage the fixture workspace'
FIXTURE=$ROOT/test/e2e/out/workspace
rm -rf "$FIXTURE" && mkdir -p "$FIXTURE"
cp -a test/e2e/workspace/. "$FIXTURE/"
cp -a examples "$FIXTURE/examples"

step 'e2e round (scripts/e2e/e2e-run.sh)'
set +e
EXT_DIR=$ROOT VSIX=$ROOT/relay-lint.vsix EXT_TESTS=$ROOT/test/e2e/out/index.js \
  FIXTURE_DIR=$FIXTURE \
  E2E_UI_FILE=${E2E_UI_FILE:-examples/insecure/open-relay.relay.yaml} \
  E2E_UI_RULE=${E2E_UI_RULE:-RLY002} \
  E2E_UI_FIX=${E2E_UI_FIX:-Relay only for the hosts listed} \
  E2E_UI_SQUIGGLE=${E2E_UI_SQUIGGLE:-.squiggly-error} \
  E2E_UI_FIXED_TEXT=${E2E_UI_FIXED_TEXT:-mode: onlyList} \
  timeout -k 30 "${E2E_TIMEOUT_S:-900}" bash scripts/e2e/e2e-run.sh
rc=$?
set -e
# Safety net: e2e-run.sh already kills what it started; nothing naming $OUT/ may outlive it.
keep=" " a=$$
while [ "${a:-0}" -gt 1 ]; do # never this script or what started it
  keep+="$a "
  a=$(sed -E 's/.*\) . ([0-9]+) .*/\1/' "/proc/$a/stat" 2>/dev/null)
done
leftover=
for p in $(pgrep -f -- "$OUT/" || true); do
  case "$keep" in *" $p "*) ;; *) leftover+="$p " ;; esac
done
if [ -n "$leftover" ]; then
  echo "test:e2e: killing leftover processes: $leftover" >&2
  # shellcheck disable=SC2086
  kill -KILL $leftover 2>/dev/null || true
fi

if [ "${E2E_SCREENSHOTS:-}" = 1 ]; then
  if [ $rc -eq 0 ]; then
    mkdir -p docs/screenshots
    for png in diagnostic quickfix-menu fixed; do cp "$OUT/$png.png" "docs/screenshots/$png.png"; done
    step "screenshots copied to docs/screenshots/ ($(cd docs/screenshots && echo diagnostic.png quickfix-menu.png fixed.png))"
  else
    echo 'test:e2e: the round failed; docs/screenshots/ left unchanged' >&2
  fi
fi
step "done: ${times[*]} total=$(since "$T0")s -> $([ $rc -eq 0 ] && echo PASS || echo "FAIL (rc=$rc)")"
exit $rc
