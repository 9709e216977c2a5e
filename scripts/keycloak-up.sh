#!/usr/bin/env bash
# A real Keycloak on loopback for ccci's tests and development (issue 6).
#
#   scripts/keycloak-up.sh [up|down|env|status|image]      (default: up)
#
# up:     fetch org.keycloak:keycloak-quarkus-dist from Maven Central (checked against its .sha1, cached),
#         unpack it into an instance directory private to the port, start `kc.sh start-dev` on 127.0.0.1
#         with a bootstrap admin and health enabled, wait for /health/ready, print the settings.
#         Idempotent: an instance that is already healthy is reused, not restarted.
# down:   stop the instance on this port (its data stays, so `up` brings the same realms back).
# env:    print the settings without starting anything.
# status: exit 0 if the instance answers /health/ready.
# image:  build the local image ccci/keycloak:<version>-local for the cold fallback (see build_image).
#
# Stdout carries only `export NAME=value` lines, so `eval "$(scripts/keycloak-up.sh)"` sets
# CCCI_KEYCLOAK_URL, CCCI_KEYCLOAK_ADMIN_USER and CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE; the same settings are
# written to .state/keycloak.env (see print_env). Progress goes to stderr.
#
# Knobs: CCCI_KEYCLOAK_VERSION (26.7.3), CCCI_KEYCLOAK_PORT (18080), CCCI_KEYCLOAK_MANAGEMENT_PORT
# (port + 1000), CCCI_CACHE_DIR (/var/cache/ccci), CCCI_KEYCLOAK_START_TIMEOUT seconds (300), JAVA_HOME,
# CCCI_KEYCLOAK_ENV_FILE.
set -euo pipefail

log() { printf 'keycloak-up: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

version=${CCCI_KEYCLOAK_VERSION:-26.7.3}
port=${CCCI_KEYCLOAK_PORT:-18080}
cache=${CCCI_CACHE_DIR:-/var/cache/ccci}/keycloak
start_timeout=${CCCI_KEYCLOAK_START_TIMEOUT:-300}
admin_user=ccci-admin

[[ $version =~ ^26\.[0-9]+\.[0-9]+$ ]] || die "CCCI_KEYCLOAK_VERSION must be a 26.x.y version (got '$version')"
[[ $port =~ ^[0-9]{2,5}$ ]] || die "CCCI_KEYCLOAK_PORT must be a port number (got '$port')"
mgmt_port=${CCCI_KEYCLOAK_MANAGEMENT_PORT:-$((port + 1000))}
[[ $mgmt_port =~ ^[0-9]{2,5}$ ]] || die "CCCI_KEYCLOAK_MANAGEMENT_PORT must be a port number (got '$mgmt_port')"
[[ $start_timeout =~ ^[0-9]+$ ]] || die "CCCI_KEYCLOAK_START_TIMEOUT must be seconds (got '$start_timeout')"

instance=$cache/instance-$port
home=$instance/keycloak-$version
url=http://127.0.0.1:$port
ready_url=http://127.0.0.1:$mgmt_port/health/ready
password_file=$instance/admin-password
pid_file=$instance/kc.pid
log_file=$instance/keycloak.log

settings() {
  printf '%sCCCI_KEYCLOAK_URL=%s\n' "$1" "$url"
  printf '%sCCCI_KEYCLOAK_ADMIN_USER=%s\n' "$1" "$admin_user"
  printf '%sCCCI_KEYCLOAK_ADMIN_PASSWORD_FILE=%s\n' "$1" "$password_file"
}

# The settings go to stdout (for eval) and to an env file that .ci/run sources: CCCI_KEYCLOAK_ENV_FILE,
# by default the checkout's .state/keycloak.env for the default port only (a second instance on another
# port, like the outage test's, must not replace the shared one's settings).
print_env() {
  settings "export "
  local file=${CCCI_KEYCLOAK_ENV_FILE:-}
  if [ -z "$file" ] && [ "$port" = 18080 ]; then file=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.state/keycloak.env; fi
  if [ -n "$file" ]; then
    mkdir -p "$(dirname "$file")"
    settings "" >"$file"
  fi
}

is_ready() { curl -fsS -m 5 -o /dev/null "$ready_url" 2>/dev/null; }

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid=$(cat "$pid_file")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
  return 1
}

# Keycloak 26.6+ is built for Java 25; older 26.x run on 21. Prefer the Temurin 25 JDK these machines ship.
find_java_home() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    major=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

zip=$cache/keycloak-quarkus-dist-$version.zip
fetch_zip() {
  local base=https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$version
  mkdir -p "$cache"
  if [ ! -f "$zip" ] || [ ! -f "$zip.sha1" ]; then
    log "downloading keycloak-quarkus-dist $version from Maven Central"
    curl -fsSL --retry 3 -o "$zip.part" "$base/keycloak-quarkus-dist-$version.zip"
    local want have
    want=$(curl -fsSL --retry 3 "$base/keycloak-quarkus-dist-$version.zip.sha1" | cut -c1-40)
    have=$(sha1sum "$zip.part" | cut -c1-40)
    [ "$want" = "$have" ] || { rm -f "$zip.part"; die "checksum mismatch for $zip (want $want, got $have)"; }
    mv "$zip.part" "$zip"
    echo "$want" >"$zip.sha1"
  fi
  command -v unzip >/dev/null 2>&1 || {
    log "installing unzip from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null
  }
}

fetch_dist() {
  fetch_zip
  if [ ! -x "$home/bin/kc.sh" ]; then
    # Each port gets its own copy: start-dev re-augments into lib/ and keeps its H2 database in data/.
    log "unpacking into $home"
    rm -rf "$home.part" && mkdir -p "$home.part"
    unzip -q "$zip" -d "$home.part"
    mv "$home.part/keycloak-$version" "$home" && rmdir "$home.part"
  fi
}

ensure_password() {
  # The bootstrap admin is created only with the master realm, on first start: the password must live
  # as long as the instance's data, so it is generated once and kept beside it, readable by root only.
  if [ ! -s "$password_file" ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$password_file")
  fi
}

start() {
  local java_home started pid elapsed
  java_home=$(find_java_home) || die "no JDK >= 21 found (looked at JAVA_HOME and /usr/lib/jvm/*)"
  log "starting Keycloak $version on $url (management $mgmt_port, JAVA_HOME=$java_home, log $log_file)"
  started=$(date +%s)
  # setsid: its own process group, so `down` stops kc.sh and the JVM it forks together.
  (
    cd "$home"
    export JAVA_HOME=$java_home KC_HEALTH_ENABLED=true KC_BOOTSTRAP_ADMIN_USERNAME=$admin_user
    KC_BOOTSTRAP_ADMIN_PASSWORD=$(cat "$password_file")
    export KC_BOOTSTRAP_ADMIN_PASSWORD
    exec setsid bin/kc.sh start-dev --http-host=127.0.0.1 --http-port="$port" \
      --http-management-port="$mgmt_port" --hostname-strict=false </dev/null >>"$log_file" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$pid_file"
  while ! is_ready; do
    kill -0 "$pid" 2>/dev/null || { tail -30 "$log_file" >&2; die "Keycloak exited during start-up; see $log_file"; }
    elapsed=$(($(date +%s) - started))
    [ "$elapsed" -lt "$start_timeout" ] || { tail -30 "$log_file" >&2; die "Keycloak not ready after ${elapsed}s; see $log_file"; }
    sleep 2
  done
  log "Keycloak ready at $url after $(($(date +%s) - started))s"
}

stop() {
  local pid
  if pid=$(running_pid); then
    log "stopping Keycloak on port $port (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
  else
    log "no Keycloak of ours running on port $port"
  fi
  rm -f "$pid_file"
}

# A local image for the cold fallback (a Keycloak co-deployed with a run when no warm one is configured):
# no registry is reachable here, so it is assembled from this machine's JDK, the cached dist zip, the
# few glibc libraries the JVM links, and Debian's static busybox (sh and wget for kc.sh and healthchecks).
image_tag=ccci/keycloak:$version-local
image_libs="libc.so.6 libdl.so.2 libm.so.6 libpthread.so.0 librt.so.1 libnss_files.so.2 libnss_dns.so.2 libresolv.so.2"
image_dockerfile=$(cat <<'DOCKERFILE'
FROM scratch
COPY root/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "chmod", "1777", "/tmp"]
ENV PATH=/bin:/opt/java/bin JAVA_HOME=/opt/java
# Augment once at build time (production mode; dev mode cannot be pre-built): a run's Keycloak then
# skips the Quarkus build, which takes a minute or more on two busy cores.
RUN ["/opt/keycloak/bin/kc.sh", "build", "--db=dev-file", "--health-enabled=true"]
WORKDIR /opt/keycloak
EXPOSE 8080 9000
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
CMD ["start", "--optimized", "--http-enabled=true", "--http-host=0.0.0.0", "--hostname-strict=false", "--import-realm"]
DOCKERFILE
)
build_image() {
  command -v docker >/dev/null 2>&1 || die "docker is needed to build $image_tag"
  local java_home bb digest ctx lib
  java_home=$(find_java_home) || die "no JDK >= 21 found to put into $image_tag"
  bb=/bin/busybox
  [ -x "$bb" ] || bb=/usr/bin/busybox
  [ -x "$bb" ] && "$bb" --list | grep -qx wget || die "Debian's busybox-static is needed (scripts/swarm-up.sh installs it)"
  fetch_zip
  # Rebuilt when the dist, the JDK or the recipe of the image changes.
  digest=$({ cat "$zip.sha1" "$java_home/release"; echo "$image_libs $image_dockerfile"; } | sha256sum | cut -c1-12)
  if [ "$(docker image inspect -f '{{index .Config.Labels "ccci.build"}}' "$image_tag" 2>/dev/null)" = "$digest" ]; then
    log "image $image_tag is up to date"
    return 0
  fi
  log "building $image_tag from $java_home and keycloak-quarkus-dist $version"
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' RETURN
  mkdir -p "$ctx/root/opt" "$ctx/root/bin" "$ctx/root/lib64" "$ctx/root/lib/x86_64-linux-gnu" "$ctx/root/tmp"
  cp -a "$java_home" "$ctx/root/opt/java"
  # Debian's JDK packages link lib/security/cacerts into /etc/ssl; the image has no /etc/ssl: copy content.
  find "$ctx/root/opt/java" -type l | while read -r link; do
    cp --remove-destination -L "$(readlink -f "$link")" "$link"
  done
  unzip -q "$zip" -d "$ctx/root/opt"
  mv "$ctx/root/opt/keycloak-$version" "$ctx/root/opt/keycloak"
  cp "$bb" "$ctx/root/bin/busybox"
  cp -L /lib64/ld-linux-x86-64.so.2 "$ctx/root/lib64/"
  for lib in $image_libs; do
    cp -L "/lib/x86_64-linux-gnu/$lib" "$ctx/root/lib/x86_64-linux-gnu/"
  done
  printf '%s\n' "$image_dockerfile" >"$ctx/Dockerfile"
  local previous
  previous=$(docker image inspect -f '{{.Id}}' "$image_tag" 2>/dev/null || true)
  docker build -q --label "ccci.build=$digest" -t "$image_tag" "$ctx" >/dev/null
  # The image this one replaces is ours and now untagged: remove it by id (never a broad prune).
  [ -z "$previous" ] || docker rmi "$previous" >/dev/null 2>&1 || true
  log "built $image_tag"
}

case "${1:-up}" in
  up)
    mkdir -p "$instance"
    if is_ready; then
      [ -s "$password_file" ] || die "something healthy answers on $ready_url but it is not ours (no $password_file)"
      log "Keycloak already healthy at $url; reusing it"
    else
      fetch_dist
      ensure_password
      start
    fi
    print_env
    ;;
  down) stop ;;
  env) print_env ;;
  status) is_ready ;;
  image) build_image ;;
  *) die "unknown command '$1' (use up, down, env, status or image)" ;;
esac
