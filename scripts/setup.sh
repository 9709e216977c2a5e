#!/usr/bin/env bash
# Everything ccci and its tests need on a fresh Debian machine, idempotent:
# Docker (Debian's docker.io) with a single-node swarm and the local test images, a real Keycloak, a real Gitea,
# and the project's npm dependencies, built. Safe to run again: each step checks before it acts.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

log() { printf 'setup: %s\n' "$*" >&2; }

command -v git >/dev/null || { log "installing git"; apt-get update -qq && apt-get install -y -qq git >/dev/null; }

# Headless Chromium for the status page's browser test (Debian's package; no browser download).
[ -x /usr/bin/chromium ] || { log "installing chromium"; apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

bash scripts/swarm-up.sh

if [ -f scripts/keycloak-up.sh ] && [ "${CCCI_SKIP_KEYCLOAK:-0}" != "1" ]; then
  bash scripts/keycloak-up.sh
fi

# A real Gitea for the Gitea forge's e2e tests (built from the Go module proxy, binary cached by version)
# is not part of the main job's set-up: its first build takes ~10 min. .ci/run builds and starts it in the
# background; `CCCI_WITH_GITEA=1 bash scripts/setup.sh` (or `bash scripts/gitea-up.sh`) does it here.
if [ -f scripts/gitea-up.sh ] && [ "${CCCI_WITH_GITEA:-0}" = "1" ] && [ "${CCCI_SKIP_GITEA:-0}" != "1" ]; then
  bash scripts/gitea-up.sh
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund
else
  npm run build >/dev/null
fi
log "done"
