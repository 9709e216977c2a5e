#!/usr/bin/env bash
# Checks the repository's Nix files with what Debian's nix-bin can do here, where no nixpkgs channel and
# no flake registry are reachable:
#   1. `nix-instantiate --parse` on every .nix file (syntax);
#   2. `nix-instantiate --eval --strict` of nix/tests/checks.nix: the NixOS module, the package and the
#      flake evaluated against small stand-ins for nixpkgs' lib and pkgs (nix/tests/stub-*.nix), with a
#      miniature module evaluator (defaults, unknown options, option types, mkIf) and ~35 named checks;
#   3. only when <nixpkgs> is on NIX_PATH: a real NixOS evaluation of a few of the module's values.
# It fails when any step fails, and ends by saying what it could not check.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nix-instantiate >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "check-nix: nix-instantiate is missing; install Debian's nix-bin (as root: apt-get install -y nix-bin)" >&2
    exit 1
  fi
  echo "check-nix: installing nix-bin"
  DEBIAN_FRONTEND=noninteractive apt-get install -y nix-bin >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y nix-bin >/dev/null; }
fi
echo "check-nix: $(nix-instantiate --version)"

# 1. syntax of every .nix file in the repository (tracked or not), outside dependencies
mapfile -d '' files < <(find . \( -path ./node_modules -o -path ./.git -o -path ./.state \) -prune -o \
  -name '*.nix' -type f -print0 | sort -z)
if [ "${#files[@]}" -eq 0 ]; then
  echo "check-nix: no .nix files found" >&2
  exit 1
fi
parse_failures=0
for file in "${files[@]}"; do
  if nix-instantiate --parse "$file" >/dev/null 2>/tmp/check-nix-parse.$$; then
    echo "parse ok    $file"
  else
    echo "parse FAIL  $file" >&2
    sed 's/^/    /' /tmp/check-nix-parse.$$ >&2
    parse_failures=$((parse_failures + 1))
  fi
done
rm -f /tmp/check-nix-parse.$$
echo "check-nix: parsed ${#files[@]} files, $parse_failures failed"

# 2. evaluation against stubs (no nixpkgs needed)
results=$(nix-instantiate --eval --strict --json nix/tests/checks.nix)
lines=$(node -e 'for (const line of JSON.parse(process.argv[1])) console.log(line)' "$results")
echo "$lines" | sed 's/^/eval  /'
passed=$(grep -c '^PASS' <<<"$lines" || true)
failed=$(grep -c '^FAIL' <<<"$lines" || true)
echo "check-nix: stub evaluation: $passed passed, $failed failed"

# 3. a real NixOS evaluation, when a nixpkgs channel happens to be available
real_eval="not run: <nixpkgs> is not on NIX_PATH (no channel here, and the network cannot fetch one)"
real_failed=0
if nixpkgs=$(nix-instantiate --find-file nixpkgs 2>/dev/null); then
  if nix-instantiate --eval --strict -E "
    let sys = import $nixpkgs/nixos {
      configuration = {
        imports = [ ./nix/modules/ccci.nix ];
        services.ccci = { enable = true; settings.CCCI_DOMAIN = \"ci.example.org\"; };
      };
    };
    in assert sys.config.systemd.services.ccci.serviceConfig.User == \"ccci\";
       assert sys.config.systemd.timers.ccci-sweep.timerConfig.OnCalendar == \"*-*-* 03:00:00\";
       assert builtins.all (a: a.assertion) sys.config.assertions;
       true" >/dev/null; then
    real_eval="passed against $nixpkgs"
  else
    real_eval="FAILED against $nixpkgs"
    real_failed=1
  fi
fi
echo "check-nix: real NixOS evaluation: $real_eval"

cat <<'EOF'
check-nix: NOT checked here (needs nixpkgs or the network):
  - building nix/package.nix (buildNpmPackage; npmDepsHash is the lib.fakeHash placeholder until a first
    build reports the real hash);
  - the NixOS module system's own merging and type checks, systemd unit generation and `systemd-analyze
    verify` of the units (the stub evaluator approximates defaults, types and mkIf only);
  - the config of nix/modules/warm-keycloak.nix (parsed, and its options read, but not evaluated);
  - `nix flake check` / `nix build .#default` (flakes need the nixpkgs input from GitHub).
EOF

if [ "$parse_failures" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ] || [ "$real_failed" -ne 0 ]; then
  echo "check-nix: FAILED" >&2
  exit 1
fi
echo "check-nix: OK"
