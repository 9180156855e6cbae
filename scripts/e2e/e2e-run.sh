#!/usr/bin/env bash
# One e2e round against a fresh code-server (a real VS Code 1.139 server + web workbench):
#   1. fresh run dir $OUT with one copy of the fixture workspace per suite, isolated TMPDIR/XDG dirs
#   2. start code-server (start-code-server.sh)
#   3. install the packaged .vsix into the run's fresh extensions dir
#   4. extension-host suite: the extension loads from EXT_DIR (extensionDevelopmentPath) and the test
#      module EXT_TESTS runs inside the real extension host (driver/exthost-e2e.js)
#   5. UI suite against the installed .vsix: open a file, squiggle, Problems row, Ctrl+. fix (driver/ui-e2e.js)
#   6. kill code-server's process group and anything else still running from $OUT
# Exits 0 only if every selected suite passed (2 on a setup error). Each step has a timeout, so the
# worst case is ~13 min (wrap it in `timeout 900`); a TERM/INT also runs the cleanup. The cleanup
# SIGKILLs any process whose command line names "$OUT/", so do not point OUT at a shared dir.
#
# Env (tools):  NODE24, CODE_SERVER_DIR, NODE_PATH, CHROMIUM  from "$E2E_TOOLS_DIR/env.sh";
#               if NODE24 is unset, that file is sourced (E2E_TOOLS_DIR default $HOME/.cache/vscode-e2e-tools)
# Env (input):  EXT_DIR      built extension (package.json, dist)           default: $PWD
#               VSIX         packaged extension for the UI suite            default: $EXT_DIR/relay-lint.vsix
#               EXT_TESTS    extensionTestsPath module (exports run())      default: $EXT_DIR/test/e2e/out/index.js
#               FIXTURE_DIR  workspace copied fresh for each suite          default: $EXT_DIR/test/e2e/workspace
#               OUT          run dir, wiped at start                        default: $PWD/.e2e-out
#               PORT         loopback port                                  default: first free one from 8765
#               E2E_SUITES   which suites, space-separated                  default: "exthost ui"
#               E2E_SETTINGS extra VS Code user settings as a JSON object   default: none
# Env (UI suite, passed through to driver/ui-e2e.js, see there):
#               E2E_UI_FILE (required for ui), E2E_UI_RULE (required), E2E_UI_FIX (required),
#               E2E_UI_SQUIGGLE (default .squiggly-error), E2E_UI_FIXED_TEXT (optional)
# Env (limits): E2E_STEP_TIMEOUT_S (install/start, 90), E2E_EXTHOST_TIMEOUT_S (300), E2E_UI_TIMEOUT_S (240),
#               E2E_STEP_TIMEOUT_MS (each wait inside ui-e2e.js, 60000)
# Env (other):  E2E_VERBOSE=1 (workbench log lines on stdout), DRIVER_NODE (node for the drivers, $NODE24)
# Inside the extension host, the tests see E2E_RESULT_FILE=$OUT/exthost-result.json and E2E_OUT=$OUT.
# Artifacts in $OUT: summary.txt, exthost.out, exthost-console.log, ui.out, *.png, code-server.log,
#               install-ext.log, ud/logs/**/remoteexthost.log
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ -z "${NODE24:-}" ]; then
  env_sh="${E2E_TOOLS_DIR:-$HOME/.cache/vscode-e2e-tools}/env.sh"
  [ -f "$env_sh" ] || {
    echo "e2e-run: $env_sh missing; run scripts/e2e/setup-e2e-tools.sh first" >&2
    exit 2
  }
  # shellcheck disable=SC1090
  source "$env_sh"
fi
: "${NODE24:?}" "${CODE_SERVER_DIR:?}"
EXT_DIR=$(cd "${EXT_DIR:-$PWD}" && pwd) || exit 2
VSIX=${VSIX:-$EXT_DIR/relay-lint.vsix}
EXT_TESTS=${EXT_TESTS:-$EXT_DIR/test/e2e/out/index.js}
FIXTURE_DIR=${FIXTURE_DIR:-$EXT_DIR/test/e2e/workspace}
OUT=${OUT:-$PWD/.e2e-out}
E2E_SUITES=${E2E_SUITES:-exthost ui}
STEP_T=${E2E_STEP_TIMEOUT_S:-90}
DRIVER_NODE=${DRIVER_NODE:-$NODE24} # playwright-core runs on Node >= 18; use the pinned one

want() { case " $E2E_SUITES " in *" $1 "*) return 0 ;; esac; return 1; }
die() {
  echo "e2e-run: $*" >&2
  exit 2
}
[ -d "$FIXTURE_DIR" ] || die "FIXTURE_DIR $FIXTURE_DIR is not a directory"
if want exthost; then [ -f "$EXT_TESTS" ] || die "EXT_TESTS $EXT_TESTS not found (build the tests first)"; fi
if want ui; then
  [ -f "$VSIX" ] || die "VSIX $VSIX not found (package the extension first)"
  if [ -z "${E2E_UI_FILE:-}" ] || [ -z "${E2E_UI_RULE:-}" ] || [ -z "${E2E_UI_FIX:-}" ]; then
    die "the ui suite needs E2E_UI_FILE, E2E_UI_RULE and E2E_UI_FIX"
  fi
fi

# Wipe $OUT only if it is ours (marker file) or empty: a mistyped OUT=$HOME must not be deleted.
OUT=$(mkdir -p "$OUT" && cd "$OUT" && pwd) || exit 2
if [ -n "$(ls -A "$OUT")" ] && [ ! -f "$OUT/.e2e-run-dir" ]; then
  die "OUT=$OUT is not empty and not an e2e run dir; refusing to wipe it"
fi
find "$OUT" -mindepth 1 -delete
touch "$OUT/.e2e-run-dir"

# One fixture copy per suite: edits made by one suite must never leak into the next.
for s in exthost ui; do mkdir -p "$OUT/ws-$s" && cp -a "$FIXTURE_DIR/." "$OUT/ws-$s/"; done
# Keep every side file inside $OUT: code-server writes ~/.local/share/code-server (logs, heartbeat) and
# ~/.config/code-server; the extension host, git and chromium put sockets and profiles in $TMPDIR.
mkdir -p "$OUT/tmp" "$OUT/xdg/data" "$OUT/xdg/config" "$OUT/xdg/cache"
export TMPDIR="$OUT/tmp" XDG_DATA_HOME="$OUT/xdg/data" XDG_CONFIG_HOME="$OUT/xdg/config" XDG_CACHE_HOME="$OUT/xdg/cache"
export E2E_OUT="$OUT" E2E_RESULT_FILE="$OUT/exthost-result.json"

if [ -z "${PORT:-}" ]; then
  for p in $(seq 8765 8799); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p && break; fi
  done
  [ -n "${PORT:-}" ] || die "no free port in 8765-8799"
fi
export PORT
URL="http://127.0.0.1:$PORT"

CS_PID=
STEP_PID=
# Stop the running step (timeout forwards the TERM, so playwright closes its browser), then kill
# code-server's process group, then any process whose command line still names $OUT
# (chromium profiles live in $OUT/tmp; the drivers and code-server all get $OUT paths).
cleanup() {
  if [ -n "$STEP_PID" ] && kill -TERM "$STEP_PID" 2>/dev/null; then
    for _ in $(seq 1 25); do kill -0 "$STEP_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  STEP_PID=
  if [ -n "$CS_PID" ]; then
    kill -TERM -- "-$CS_PID" 2>/dev/null
    for _ in $(seq 1 25); do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$CS_PID" 2>/dev/null
    CS_PID=
  fi
  # never this script or whatever started it (their command line may mention $OUT too)
  local pids=() p keep=" " a=$$
  while [ "${a:-0}" -gt 1 ]; do
    keep+="$a "
    a=$(sed -E 's/.*\) . ([0-9]+) .*/\1/' "/proc/$a/stat" 2>/dev/null) # ppid (comm may hold spaces)
  done
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    case "$keep" in *" $p "*) continue ;; esac
    { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qF -- "$OUT/" && pids+=("$p")
  done
  if [ ${#pids[@]} -gt 0 ]; then
    echo "e2e-run: killing leftover processes ${pids[*]}" >&2
    kill -KILL "${pids[@]}" 2>/dev/null
  fi
  return 0
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP # run cleanup (EXIT trap) when the round itself is stopped

# run_step NAME TIMEOUT_S LOGFILE CMD...: runs CMD with a timeout, output to LOGFILE and to stdout.
# Backgrounded + wait, so a TERM to this script is handled at once rather than after CMD ends.
run_step() {
  local name=$1 limit=$2 logf=$3 rc
  shift 3
  timeout -k 10 "$limit" "$@" > >(tee "$logf") 2>&1 &
  STEP_PID=$!
  wait $STEP_PID
  rc=$?
  STEP_PID=
  [ $rc -eq 124 ] && echo "e2e-run: $name timed out after ${limit}s" | tee -a "$logf" >&2
  return $rc
}
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

t_round=$(date +%s.%N)
summary=()
t=$(date +%s.%N)
RUN_DIR="$OUT" HEALTH_TIMEOUT_S=$STEP_T timeout -k 5 $((STEP_T + 10)) bash "$HERE/start-code-server.sh" || die "code-server did not start (see $OUT/code-server.log)"
CS_PID=$(cat "$OUT/code-server.pid")
summary+=("start=$(elapsed "$t")s")
if want ui; then
  # Into this run's fresh --extensions-dir; works while the server runs and takes ~1-3 s.
  t=$(date +%s.%N)
  run_step install "$STEP_T" "$OUT/install-ext.log" "$NODE24" "$CODE_SERVER_DIR/out/node/entry.js" \
    --config "$OUT/config.yaml" --user-data-dir "$OUT/ud" --extensions-dir "$OUT/exts" \
    --install-extension "$VSIX" >/dev/null || die "installing $VSIX failed (see $OUT/install-ext.log)"
  summary+=("install=$(elapsed "$t")s")
fi

rc_all=0
if want exthost; then
  echo "== e2e: extension-host suite ($EXT_TESTS)"
  t=$(date +%s.%N)
  E2E_TIMEOUT_MS=$(((${E2E_EXTHOST_TIMEOUT_S:-300} - 20) * 1000)) \
    run_step exthost "${E2E_EXTHOST_TIMEOUT_S:-300}" "$OUT/exthost.out" "$DRIVER_NODE" "$HERE/driver/exthost-e2e.js" \
    --url "$URL" --workspace "$OUT/ws-exthost" --ext-dev "$EXT_DIR" --ext-tests "$EXT_TESTS" --out "$OUT"
  rc=$?
  rc_all=$((rc_all || rc))
  summary+=("exthost=$(elapsed "$t")s(rc=$rc)")
fi
if want ui; then
  echo "== e2e: UI suite (${E2E_UI_FILE:-?}, ${E2E_UI_RULE:-?})"
  t=$(date +%s.%N)
  run_step ui "${E2E_UI_TIMEOUT_S:-240}" "$OUT/ui.out" "$DRIVER_NODE" "$HERE/driver/ui-e2e.js" \
    --url "$URL" --workspace "$OUT/ws-ui" --out "$OUT"
  rc=$?
  rc_all=$((rc_all || rc))
  summary+=("ui=$(elapsed "$t")s(rc=$rc)")
fi

cleanup
summary+=("round=$(elapsed "$t_round")s" "port=$PORT")
echo "e2e-run: ${summary[*]} -> $([ $rc_all -eq 0 ] && echo PASS || echo FAIL); artifacts in $OUT" | tee "$OUT/summary.txt"
exit $rc_all
