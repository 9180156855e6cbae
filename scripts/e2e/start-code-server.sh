#!/usr/bin/env bash
# Starts code-server on 127.0.0.1:$PORT with a fresh user-data-dir under $RUN_DIR and test settings,
# in its own process group (setsid), and waits until /healthz answers.
#
# Env (required): NODE24, CODE_SERVER_DIR   (from the tools dir's env.sh)
#                 RUN_DIR                   (scratch dir of this run; ud/, exts/, config.yaml, logs go here)
# Env (optional): PORT=8765
#                 E2E_SETTINGS='{"relayLint.x": 1}'  extra user settings, merged over the defaults below
#                 EXTRA_ARGS                extra code-server arguments (word-split)
# Writes: $RUN_DIR/code-server.pid (also the process-group id), $RUN_DIR/code-server.log
# Stop:   kill -TERM -- -"$(cat "$RUN_DIR/code-server.pid")"   (the whole group: a plain kill of
#         code-server leaves its file watcher and extension host orphaned)
set -euo pipefail
: "${NODE24:?source the tools env.sh}" "${CODE_SERVER_DIR:?source the tools env.sh}" "${RUN_DIR:?}"
PORT=${PORT:-8765}
HEALTH_TIMEOUT_S=${HEALTH_TIMEOUT_S:-30}

# /healthz of someone else's server on the port would look like success: refuse a busy port.
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "start-code-server: port $PORT on 127.0.0.1 is already in use" >&2
  exit 1
fi

rm -rf "$RUN_DIR/ud" && mkdir -p "$RUN_DIR/ud/User" "$RUN_DIR/exts"
# Settings that keep runs independent and the window quiet:
# - files.autoSave: VS Code for the web defaults to afterDelay (1 s), which wrote a test's edits to
#   the fixture on disk before the test reverted them; refactoring.autoSave likewise for quick fixes.
# - files.hotExit off + fresh user-data-dir: no restored editors or dirty buffers from earlier runs.
# - chat.disableAIFeatures: removes the built-in Copilot Chat panel and its Fix/Explain quick-fix entries;
#   secondarySideBar hidden: no empty chat side bar taking a third of the screenshots.
# - explorer.compactFolders off: one Explorer row per folder, so the UI driver can walk a path.
"$NODE24" - "$RUN_DIR/ud/User/settings.json" <<'JS'
const fs = require('fs');
const settings = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'files.hotExit': 'off',
  'files.autoSave': 'off',
  'files.refactoring.autoSave': false,
  'explorer.compactFolders': false,
  'git.enabled': false,
  ...JSON.parse(process.env.E2E_SETTINGS || '{}'),
};
fs.writeFileSync(process.argv[2], JSON.stringify(settings, null, 2) + '\n');
JS
: >"$RUN_DIR/config.yaml" # an explicit --config keeps code-server from writing ~/.config/code-server/config.yaml

# enable-smoke-test-driver is mandatory: without it the workbench ignores the extensionDevelopmentPath /
# extensionTestsPath payload, and window.driver (used by the UI driver) does not exist.
# shellcheck disable=SC2086
setsid "$NODE24" "$CODE_SERVER_DIR/out/node/entry.js" \
  --config "$RUN_DIR/config.yaml" --bind-addr "127.0.0.1:$PORT" --auth none \
  --user-data-dir "$RUN_DIR/ud" --extensions-dir "$RUN_DIR/exts" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --vscode-option enable-smoke-test-driver \
  ${EXTRA_ARGS:-} </dev/null >"$RUN_DIR/code-server.log" 2>&1 &
pid=$!
echo "$pid" >"$RUN_DIR/code-server.pid"

deadline=$((SECONDS + HEALTH_TIMEOUT_S))
while ((SECONDS < deadline)); do
  if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
    echo "code-server up on 127.0.0.1:$PORT (pid/pgid $pid)"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break # died early: no point in waiting
  sleep 0.2
done
echo "start-code-server: code-server did not answer /healthz within ${HEALTH_TIMEOUT_S}s" >&2
tail -n 40 "$RUN_DIR/code-server.log" >&2
kill -KILL -- "-$pid" 2>/dev/null || true
exit 1
