#!/usr/bin/env bash
# Bring up a real single-node Docker Swarm on this machine and build the local test images.
# Idempotent: every step checks before it acts. Needs root (or sudo) for the install and dockerd steps.
set -euo pipefail

log() { printf 'swarm-up: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx httpd || need_pkgs+=(busybox-static)
# gcc and glibc's static libc build ccci-exec, the assert sandbox's helper (a 700 KB static binary).
command -v gcc >/dev/null 2>&1 || need_pkgs+=(gcc)
[ -e "/usr/lib/$(uname -m)-linux-gnu/libc.a" ] || need_pkgs+=(libc6-dev)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]} from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  as_root mkdir -p /var/log
  as_root sh -c 'nohup dockerd >/var/log/dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not come up; see /var/log/dockerd.log"; tail -20 /var/log/dockerd.log >&2; exit 1; }
fi

state=$(docker info --format '{{.Swarm.LocalNodeState}}')
if [ "$state" != "active" ]; then
  log "initialising swarm"
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi

# Co-op Cloud recipes join the external overlay network `proxy` (Traefik's); make sure it exists.
docker network inspect proxy >/dev/null 2>&1 || docker network create --driver overlay --attachable proxy >/dev/null

# Local images: no registry is reachable, so build from Debian's static busybox.
bb=/bin/busybox
if [ ! -x "$bb" ] || ! "$bb" --list | grep -qx httpd; then bb=/usr/bin/busybox; fi
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$bb" "$ctx/busybox"
cp "$here/test/images/busybox/Dockerfile" "$ctx/Dockerfile"
digest=$(sha256sum "$ctx/busybox" "$ctx/Dockerfile" | sha256sum | cut -c1-12)
if [ "$(docker image inspect -f '{{index .Config.Labels "ccci.build"}}' ccci/busybox:local 2>/dev/null)" != "$digest" ]; then
  log "building ccci/busybox:local"
  docker build -q --label "ccci.build=$digest" -t ccci/busybox:local "$ctx" >/dev/null
fi

# The custom-assert sandbox (CCCI_ASSERT_IMAGE's default): the same busybox, ccci-exec and a non-root user.
actx=$(mktemp -d)
trap 'rm -rf "$ctx" "$actx"' EXIT
cp "$bb" "$actx/busybox"
cp "$here"/test/images/assert/{Dockerfile,passwd,group,ccci-exec.c} "$actx/"
digest=$(cd "$actx" && sha256sum -- * | sha256sum | cut -c1-12)
if [ "$(docker image inspect -f '{{index .Config.Labels "ccci.build"}}' ccci/assert:local 2>/dev/null)" != "$digest" ]; then
  log "building ccci/assert:local"
  gcc -static -Os -o "$actx/ccci-exec" "$actx/ccci-exec.c"
  docker build -q --label "ccci.build=$digest" -t ccci/assert:local "$actx" >/dev/null
fi
log "ready: swarm active, network proxy present, images ccci/busybox:local and ccci/assert:local built"
