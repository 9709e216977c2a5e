# A miniature of the NixOS module system, enough to evaluate nix/modules/ccci.nix without nixpkgs:
# option values are the given values over the declared defaults (an unknown option or a value of the
# wrong type fails, as in NixOS), and `mkIf` blocks whose condition is false are dropped. It does not
# merge definitions from several modules: an imported module (warm-keycloak.nix) adds its options, but its
# `config` is not evaluated here.
{
  lib,
  pkgs,
  module,
  values,
}:
let
  isOption = v: builtins.isAttrs v && (v._type or null) == "option";
  resolve =
    path: decls: given:
    let
      unknown = builtins.filter (name: !(decls ? ${name})) (builtins.attrNames given);
      valueOf =
        name: decl:
        let
          value =
            given.${name} or (
              if decl ? default then decl.default else throw "option ${path}.${name} is used but not defined"
            );
        in
        if decl.type.check value then
          value
        else
          throw "${path}.${name}: ${builtins.toJSON value} is not a ${decl.type.name}";
    in
    if unknown != [ ] then
      throw "unknown option ${path}.${builtins.head unknown}"
    else
      builtins.mapAttrs (
        name: decl: if isOption decl then valueOf name decl else resolve "${path}.${name}" decl (given.${name} or { })
      ) decls;

  isIf = v: builtins.isAttrs v && (v._type or null) == "if";
  applyIfs =
    v:
    if isIf v then
      (if v.condition then applyIfs v.content else null)
    else if builtins.isAttrs v && !(v ? outPath) then
      lib.filterAttrs (_: x: x != null) (builtins.mapAttrs (_: applyIfs) v)
    else
      v;

  evaluated = module { inherit lib pkgs config; };
  # Options declared by imported modules (warm-keycloak.nix) sit beside ours under services.ccci.
  imported = map (path: import path { inherit lib pkgs config; }) evaluated.imports;
  declared = builtins.foldl' (all: m: all // m.options.services.ccci) evaluated.options.services.ccci imported;
  cfg = resolve "services.ccci" declared values;
  config = {
    services.ccci = cfg;
    virtualisation.docker.package = pkgs.docker;
  };
in
{
  inherit cfg;
  inherit (evaluated) imports;
  config = applyIfs evaluated.config;
}
