# Stand-in packages: store paths are fake strings; buildNpmPackage returns its arguments (plus an outPath
# and the Node it was given) so tests can read what the derivation would be built from. Scripts keep
# their text visible inside the fake path, so tests can read what they do.
{ lib }:
let
  fakePath = name: "/nix/store/00000000000000000000000000000000-${name}";
  fake = name: {
    outPath = fakePath name;
    inherit name;
  };
  npmBuilder = nodejs: {
    __functor =
      _self: args:
      args
      // {
        outPath = fakePath "${args.pname}-${args.version}";
        builtWithNode = nodejs.name;
      };
    override = { nodejs }: npmBuilder nodejs;
  };
in
rec {
  nodejs = fake "nodejs-22";
  nodejs_20 = fake "nodejs-20";
  python3 = fake "python3";
  docker = fake "docker";
  git = fake "git";
  coreutils = fake "coreutils";
  util-linux = fake "util-linux";
  nixfmt-rfc-style = fake "nixfmt";
  buildNpmPackage = npmBuilder nodejs;
  writeShellScript = name: text: "${fakePath name} «${text}»";
  callPackage =
    path: overrides:
    import path (
      {
        inherit
          lib
          buildNpmPackage
          nodejs_20
          ;
      }
      // overrides
    );
}
