# ccci, built from this repository with nixpkgs' buildNpmPackage.
#
# `npm ci --ignore-scripts` from package-lock.json (no native addons), `npm run build` (tsc -> dist/), dev dependencies pruned, then installed as
# $out/lib/node_modules/ccci with the `ccci` command linked into $out/bin.
{
  lib,
  buildNpmPackage,
  nodejs_20,
}:

let
  packageJson = lib.importJSON ../package.json;
  root = toString ../.;
  # Only what the build reads: no node_modules/, dist/, .state/ or test/ from a working checkout, so the
  # derivation (and npmDepsHash) do not change when those do.
  wanted = [
    "package.json"
    "package-lock.json"
    "tsconfig.json"
    "tsconfig.build.json"
    "src"
    "docs"
    "app.yml"
    "README.md"
  ];
  topLevelName = path: builtins.head (lib.splitString "/" (lib.removePrefix "${root}/" (toString path)));
in
(buildNpmPackage.override { nodejs = nodejs_20; }) {
  pname = packageJson.name;
  inherit (packageJson) version;

  src = lib.cleanSourceWith {
    src = ../.;
    name = "ccci-source";
    filter = path: _type: builtins.elem (topLevelName path) wanted;
  };

  # The hash of the npm dependencies fetched from package-lock.json. It is a placeholder until computed:
  # build once (`nix build .#default`) and copy the `got: sha256-…` value from the hash-mismatch error
  # here, or run `nix run nixpkgs#prefetch-npm-deps -- package-lock.json`. Recompute it whenever
  # package-lock.json changes.
  npmDepsHash = lib.fakeHash;

  npmBuildScript = "build";
  # package.json's `prepare` would run tsc a second time while the install phase packs the package.
  npmPackFlags = [ "--ignore-scripts" ];

  meta = {
    description = packageJson.description;
    license = lib.licenses.agpl3Plus;
    mainProgram = "ccci";
    platforms = lib.platforms.linux;
  };
}
