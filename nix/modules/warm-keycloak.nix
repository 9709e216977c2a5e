# NixOS module: the warm Keycloak as declarative infrastructure (issue 6).
#
# A systemd oneshot runs `ccci warm-keycloak reconcile` at boot and then on a timer. Reconcile is
# idempotent: a Keycloak that answers is left alone; one that does not is deployed (the Co-op Cloud
# `keycloak` app at its stable domain) and waited for until healthy. The admin password reaches the
# service as a systemd credential (LoadCredential), never through the Nix store or the environment.
#
#   imports = [ ./nix/modules/warm-keycloak.nix ];
#   services.ccci.warmKeycloak = {
#     enable = true;
#     package = pkgs.callPackage ./nix/package.nix { };
#     url = "https://sso.ci.example.org";
#     adminPasswordFile = "/run/keys/ccci-keycloak-admin";
#     instanceId = "ccci-prod";
#   };
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.ccci.warmKeycloak;
  inherit (lib) mkEnableOption mkIf mkOption types;
in
{
  options.services.ccci.warmKeycloak = {
    enable = mkEnableOption "ccci's reconciler that keeps the warm Keycloak deployed and healthy";

    package = mkOption {
      type = types.package;
      description = "The ccci package (see nix/package.nix); its `ccci` command runs the reconcile.";
    };

    url = mkOption {
      type = types.strMatching "https?://[^ ]+";
      example = "https://sso.ci.example.org";
      description = "Base URL of the warm Keycloak (CCCI_KEYCLOAK_URL); health is its OpenID discovery document.";
    };

    publicUrl = mkOption {
      type = types.nullOr (types.strMatching "https?://[^ ]+");
      default = null;
      description = "Keycloak's URL as apps reach it (CCCI_KEYCLOAK_PUBLIC_URL); defaults to `url`.";
    };

    adminUser = mkOption {
      type = types.str;
      default = "admin";
      description = "Master-realm admin that creates and deletes run realms (CCCI_KEYCLOAK_ADMIN_USER).";
    };

    adminPasswordFile = mkOption {
      type = types.str;
      example = "/run/keys/ccci-keycloak-admin";
      description = "File holding the admin password; passed as a systemd credential, kept out of the store.";
    };

    instanceId = mkOption {
      type = types.strMatching "[a-z0-9][a-z0-9-]{0,39}";
      example = "ccci-prod";
      description = "Owner tag of this instance's realms (CCCI_INSTANCE_ID); must match the bot's.";
    };

    interval = mkOption {
      type = types.str;
      default = "15min";
      description = "How often to reconcile after the first run at boot (systemd time span).";
    };

    user = mkOption {
      type = types.str;
      default = "ccci";
      description = "User the reconcile runs as; it must be able to use Docker (member of `docker`).";
    };

    environmentFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "Optional file of further CCCI_* settings (CCCI_DRIVER, CCCI_DOMAIN, CCCI_STATE_DIR …).";
    };
  };

  config = mkIf cfg.enable {
    systemd.services.ccci-warm-keycloak = {
      description = "ccci: converge the warm Keycloak to deployed and healthy";
      wants = [ "network-online.target" ];
      after = [
        "network-online.target"
        "docker.service"
      ];
      path = [
        pkgs.docker
        pkgs.git
      ];
      environment = {
        CCCI_KEYCLOAK_URL = cfg.url;
        CCCI_KEYCLOAK_ADMIN_USER = cfg.adminUser;
        # %d is the service's credentials directory (systemd >= 248).
        CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE = "%d/keycloak-admin-password";
        CCCI_INSTANCE_ID = cfg.instanceId;
      }
      // lib.optionalAttrs (cfg.publicUrl != null) { CCCI_KEYCLOAK_PUBLIC_URL = cfg.publicUrl; };
      serviceConfig = {
        Type = "oneshot";
        ExecStart = "${lib.getExe cfg.package} warm-keycloak reconcile";
        User = cfg.user;
        SupplementaryGroups = [ "docker" ];
        LoadCredential = [ "keycloak-admin-password:${cfg.adminPasswordFile}" ];
        EnvironmentFile = lib.optional (cfg.environmentFile != null) cfg.environmentFile;
        StateDirectory = "ccci";
        # A first deploy waits for Keycloak to start (30-120 s on small hosts) and converge.
        TimeoutStartSec = "20min";
        NoNewPrivileges = true;
        PrivateTmp = true;
        ProtectHome = true;
        ProtectSystem = "strict";
      };
    };

    systemd.timers.ccci-warm-keycloak = {
      description = "ccci: reconcile the warm Keycloak periodically";
      wantedBy = [ "timers.target" ];
      timerConfig = {
        OnBootSec = "2min";
        OnUnitActiveSec = cfg.interval;
        Unit = "ccci-warm-keycloak.service";
      };
    };
  };
}
