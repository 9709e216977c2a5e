{
  description = "ccci: ChatOps CI bot for Co-op Cloud recipes";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      warmKeycloak = ./nix/modules/warm-keycloak.nix;
    in
    {
      packages = forEachSystem (pkgs: rec {
        ccci = pkgs.callPackage ./nix/package.nix { };
        default = ccci;
      });

      # The module builds its package from this flake's source unless services.ccci.package is set.
      nixosModules = {
        ccci = ./nix/modules/ccci.nix;
        default = self.nixosModules.ccci;
      }
      // nixpkgs.lib.optionalAttrs (builtins.pathExists warmKeycloak) { warm-keycloak = warmKeycloak; };

      formatter = forEachSystem (pkgs: pkgs.nixfmt-rfc-style);
    };
}
