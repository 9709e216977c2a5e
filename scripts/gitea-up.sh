#!/usr/bin/env bash
# A real Gitea on loopback for ccci's Gitea tests (issue 17).
#
#   scripts/gitea-up.sh [up|down|env|status|build]      (default: up)
#
# build:  `go mod download code.gitea.io/gitea@<version>` from the Go module proxy (`go install` cannot
#         build it: its go.mod has replace directives), then `go build -tags 'sqlite sqlite_unlock_notify'`
#         in a writable copy of the module directory. Module download, build cache and the binary are
#         kept in $CCCI_CACHE_DIR/gitea, the binary by version: a second run skips the build (~7 min on
#         two cores the first time). Neither Gitea's source nor its binary goes into the repository.
# up:     build if needed, write app.ini (sqlite, INSTALL_LOCK, loopback-only webhooks, in-process queues),
#         start `gitea web` on 127.0.0.1 in the background, wait for /api/healthz, create the admin user
#         and an API token once, and print the settings. An instance that is already healthy is reused.
# down:   stop the instance on this port (its data stays).
# env:    print the settings without starting anything.
# status: exit 0 if the instance answers /api/healthz.
#
# Stdout carries only `export NAME=value` lines; the same settings go to .state/gitea.env, which .ci/run
# sources: CCCI_E2E_GITEA_URL, CCCI_E2E_GITEA_ADMIN and CCCI_E2E_GITEA_ADMIN_TOKEN_FILE (a file readable
# by root only; the token is never printed). Progress goes to stderr.
#
# Knobs: CCCI_GITEA_VERSION (v1.26.0), CCCI_GITEA_PORT (13000), CCCI_CACHE_DIR (/var/cache/ccci),
# CCCI_GITEA_START_TIMEOUT seconds (120), CCCI_GITEA_ENV_FILE.
set -euo pipefail

log() { printf 'gitea-up: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

version=${CCCI_GITEA_VERSION:-v1.26.0}
port=${CCCI_GITEA_PORT:-13000}
cache=${CCCI_CACHE_DIR:-/var/cache/ccci}/gitea
start_timeout=${CCCI_GITEA_START_TIMEOUT:-120}
admin_user=ccci-admin

[[ $version =~ ^v1\.[0-9]+\.[0-9]+$ ]] || die "CCCI_GITEA_VERSION must be a v1.x.y version (got '$version')"
[[ $port =~ ^[0-9]{2,5}$ ]] || die "CCCI_GITEA_PORT must be a port number (got '$port')"
[[ $start_timeout =~ ^[0-9]+$ ]] || die "CCCI_GITEA_START_TIMEOUT must be seconds (got '$start_timeout')"

bin=$cache/gitea-$version
# Built without the `bindata` tag (that needs Gitea's frontend build), Gitea reads its locales and
# templates from disk: they are kept beside the binary, from the same module version.
static=$cache/static-$version
instance=$cache/instance-$port
ini=$instance/custom/conf/app.ini
url=http://127.0.0.1:$port
pid_file=$instance/gitea.pid
log_file=$instance/gitea.log
token_file=$instance/admin-token
password_file=$instance/admin-password

settings() {
  printf '%sCCCI_E2E_GITEA_URL=%s\n' "$1" "$url"
  printf '%sCCCI_E2E_GITEA_ADMIN=%s\n' "$1" "$admin_user"
  printf '%sCCCI_E2E_GITEA_ADMIN_TOKEN_FILE=%s\n' "$1" "$token_file"
}

print_env() {
  settings "export "
  local file=${CCCI_GITEA_ENV_FILE:-}
  if [ -z "$file" ] && [ "$port" = 13000 ]; then file=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.state/gitea.env; fi
  if [ -n "$file" ]; then
    mkdir -p "$(dirname "$file")"
    settings "" >"$file"
  fi
}

is_ready() { curl -fsS -m 5 -o /dev/null "$url/api/healthz" 2>/dev/null; }

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid=$(cat "$pid_file")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
  return 1
}

build() {
  [ -x "$bin" ] && [ -d "$static/options" ] && return 0
  # The official Go tarball's place, for a shell whose PATH lacks it (Debian's golang is too old for 1.26).
  command -v go >/dev/null 2>&1 || [ ! -x /usr/local/go/bin/go ] || PATH=$PATH:/usr/local/go/bin
  command -v go >/dev/null 2>&1 || die "go (>= the version in Gitea's go.mod) is needed to build Gitea $version; none on PATH (CCCI_SKIP_GITEA=1 skips Gitea in setup.sh)"
  command -v gcc >/dev/null 2>&1 || { log "installing gcc (sqlite needs cgo)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null; }
  mkdir -p "$cache"
  # One build at a time per cache (two CI runs on one machine share it); the second waits, then reuses.
  exec 9>"$cache/build.lock"
  flock 9
  if [ -x "$bin" ] && [ -d "$static/options" ]; then flock -u 9; return 0; fi
  local started dir src
  started=$(date +%s)
  export GOMODCACHE=$cache/gomod GOPATH=$cache/gopath GOCACHE=$cache/gocache GOFLAGS="-modcacherw -buildvcs=false"
  log "downloading code.gitea.io/gitea@$version and its modules (~400 MiB the first time) into $GOMODCACHE"
  dir=$(cd "$cache" && go mod download -json "code.gitea.io/gitea@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [ -n "$dir" ] && [ -f "$dir/go.mod" ] || die "go mod download did not give a module directory for $version"
  rm -rf "$static.part" && mkdir -p "$static.part"
  cp -r "$dir/options" "$dir/templates" "$dir/public" "$static.part/"
  rm -rf "$static" && mv "$static.part" "$static"
  if [ ! -x "$bin" ]; then
    # The module cache is read-only by design and the build writes beside go.mod: build in a copy.
    src=$cache/src-$version
    rm -rf "$src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
    (cd "$src" && go mod download)
    log "building Gitea $version (tags sqlite sqlite_unlock_notify; ~7 min on two cores the first time)"
    (cd "$src" && go build -tags 'sqlite sqlite_unlock_notify' -ldflags "-X main.Version=${version#v}" -o "$bin.part" .)
    mv "$bin.part" "$bin"
    rm -rf "$src"
  fi
  flock -u 9
  log "$bin and $static ready after $(($(date +%s) - started)) s"
}

write_ini() {
  mkdir -p "$(dirname "$ini")" "$instance/data" "$instance/repos" "$instance/log"
  # Written once: Gitea adds its generated secrets (INTERNAL_TOKEN, JWT) to this file on first start.
  [ -f "$ini" ] && return 0
  local secret_key
  secret_key=$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')
  (umask 077 && cat >"$ini" <<EOF
APP_NAME = ccci test Gitea
RUN_MODE = prod
RUN_USER = $(id -un)
WORK_PATH = $instance
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = $port
ROOT_URL = $url/
STATIC_ROOT_PATH = $static
DISABLE_SSH = true
START_SSH_SERVER = false
OFFLINE_MODE = true
LFS_START_SERVER = false

[database]
DB_TYPE = sqlite3
PATH = $instance/data/gitea.db

[repository]
ROOT = $instance/repos

[security]
INSTALL_LOCK = true
SECRET_KEY = $secret_key

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false

[webhook]
; Deliveries go to the bot on loopback only; nothing leaves the machine.
ALLOWED_HOST_LIST = loopback
DELIVER_TIMEOUT = 10

[queue]
; In-process queues: webhook delivery in ~0.15 s instead of 0.5-4 s with the level queue.
TYPE = channel

[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false

[mailer]
ENABLED = false

[actions]
ENABLED = false

[cron]
ENABLED = false

[log]
MODE = file
LEVEL = Warn
ROOT_PATH = $instance/log
EOF
  )
}

gitea() { "$bin" --config "$ini" --work-path "$instance" "$@"; }

start() {
  local started pid
  log "starting Gitea $version on $url (log $log_file)"
  started=$(date +%s)
  (cd "$instance" && exec setsid "$bin" web --config "$ini" --work-path "$instance" </dev/null >>"$log_file" 2>&1) &
  pid=$!
  echo "$pid" >"$pid_file"
  while ! is_ready; do
    kill -0 "$pid" 2>/dev/null || { tail -30 "$log_file" >&2; die "Gitea exited during start-up; see $log_file"; }
    [ $(($(date +%s) - started)) -lt "$start_timeout" ] || die "Gitea not ready after ${start_timeout}s; see $log_file"
    sleep 1
  done
  log "Gitea ready at $url after $(($(date +%s) - started)) s"
}

token_works() {
  [ -s "$token_file" ] || return 1
  curl -fsS -m 5 -o /dev/null -H "Authorization: token $(cat "$token_file")" "$url/api/v1/user" 2>/dev/null
}

ensure_admin() {
  if [ ! -s "$password_file" ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$password_file")
  fi
  if ! gitea admin user list --admin 2>/dev/null | awk '{print $2}' | grep -qx "$admin_user"; then
    log "creating the admin user $admin_user"
    gitea admin user create --admin --username "$admin_user" --email "$admin_user@ccci.test" \
      --password "$(cat "$password_file")" --must-change-password=false >/dev/null
  fi
  token_works && return 0
  log "creating an API token for $admin_user"
  local token
  # Gitea's CLI logs to stdout too (the running-as-root warning): keep only the token line.
  token=$(gitea admin user generate-access-token --username "$admin_user" \
    --token-name "ccci-e2e-$(date +%s)" --scopes all --raw | grep -Ex '[0-9a-f]{40}' | tail -1)
  [[ $token =~ ^[0-9a-f]{40}$ ]] || die "gitea did not print a token"
  (umask 077 && printf '%s\n' "$token" >"$token_file")
  token_works || die "the new token is refused by $url"
}

up() {
  build
  write_ini
  if running_pid >/dev/null && is_ready; then
    log "Gitea already running on $url; reusing it"
  else
    running_pid >/dev/null && stop
    start
  fi
  ensure_admin
  print_env
}

stop() {
  local pid
  if pid=$(running_pid); then
    log "stopping Gitea on port $port (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
  else
    log "no Gitea of ours running on port $port"
  fi
  rm -f "$pid_file"
}

case "${1:-up}" in
  up) up ;;
  build) build ;;
  down) stop ;;
  env) print_env ;;
  status) is_ready ;;
  *) die "usage: $0 [up|down|env|status|build]" ;;
esac
