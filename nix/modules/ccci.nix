# NixOS module `services.ccci`: the ccci bot (`npm start`: a GitHub App, or a Gitea bot user with
# `forge = "gitea"`) as a systemd service, and the nightly
# sweep (`ccci sweep`) as a oneshot service started by a timer.
#
# Swarm: NixOS has no option for `docker swarm init`. Either run it once by hand
# (`docker swarm init --advertise-addr 127.0.0.1`) or set `services.ccci.initSwarm = true`, which also
# creates the external `proxy` overlay network that Co-op Cloud recipes join.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  inherit (lib) mkIf;
  cfg = config.services.ccci;
  node = "${pkgs.nodejs_20}/bin/node";
  main = "${cfg.package}/lib/node_modules/ccci/dist/main.js";
  defaultUser = cfg.user == "ccci";

  # The warm-Keycloak module (another file, maybe absent): when it is enabled, the bot talks to the same
  # Keycloak with the same admin credential and instance id, without repeating them in `settings`.
  hasWarmKeycloak = builtins.pathExists ./warm-keycloak.nix;
  wk = if hasWarmKeycloak then cfg.warmKeycloak else { enable = false; };
  warmKeycloakEnv = lib.optionalAttrs wk.enable (
    {
      CCCI_KEYCLOAK_URL = wk.url;
      CCCI_KEYCLOAK_ADMIN_USER = wk.adminUser;
      CCCI_INSTANCE_ID = wk.instanceId;
    }
    // lib.optionalAttrs (wk.publicUrl != null) { CCCI_KEYCLOAK_PUBLIC_URL = wk.publicUrl; }
  );
  keycloakPasswordFile =
    if cfg.keycloakAdminPasswordFile != null then
      cfg.keycloakAdminPasswordFile
    else if wk.enable then
      wk.adminPasswordFile
    else
      null;

  asEnv = value: if builtins.isBool value then lib.boolToString value else toString value;

  # File-based secrets, handed to the service with LoadCredential (readable only by the service, never
  # copied into the Nix store) and read by the start script below.
  credentials = lib.filterAttrs (_name: file: file != null) {
    app-id = cfg.appIdFile;
    private-key = cfg.privateKeyFile;
    webhook-secret = cfg.webhookSecretFile;
    keycloak-admin-password = keycloakPasswordFile;
    gitea-token = cfg.giteaTokenFile;
  };
  loadCredential = lib.mapAttrsToList (name: file: "${name}:${file}") credentials;

  # The CCCI_* settings plus what ccci needs from its unit; user settings win over the defaults here.
  environment = {
    CCCI_STATE_DIR = cfg.stateDir;
    HOME = cfg.stateDir; # git and abra keep their configuration under $HOME
    NODE_ENV = "production";
    PORT = toString cfg.port;
    HOST = cfg.listenAddress;
    LOG_LEVEL = cfg.logLevel;
  }
  // lib.optionalAttrs (cfg.forge == "gitea") { CCCI_FORGE = "gitea"; }
  // lib.optionalAttrs (cfg.giteaUrl != null) { CCCI_GITEA_URL = cfg.giteaUrl; }
  // warmKeycloakEnv
  // lib.mapAttrs (_name: asEnv) cfg.settings;

  # Probot reads APP_ID and WEBHOOK_SECRET from the environment, so those two are exported from their
  # credential files; the key and the Keycloak password stay files (ccci reads them itself).
  withCredentials = pkgs.writeShellScript "ccci-with-credentials" ''
    set -eu
    creds="''${CREDENTIALS_DIRECTORY:-/nonexistent}"
    if [ -r "$creds/app-id" ]; then APP_ID="$(cat "$creds/app-id")"; export APP_ID; fi
    if [ -r "$creds/webhook-secret" ]; then WEBHOOK_SECRET="$(cat "$creds/webhook-secret")"; export WEBHOOK_SECRET; fi
    if [ -r "$creds/private-key" ]; then export PRIVATE_KEY_PATH="$creds/private-key"; fi
    if [ -r "$creds/keycloak-admin-password" ]; then
      export CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE="$creds/keycloak-admin-password"
    fi
    # The Gitea forge reads both of its secrets from files (src/gitea/settings.ts).
    if [ -r "$creds/gitea-token" ]; then export CCCI_GITEA_TOKEN_FILE="$creds/gitea-token"; fi
    if [ -r "$creds/webhook-secret" ]; then export CCCI_GITEA_WEBHOOK_SECRET_FILE="$creds/webhook-secret"; fi
    exec "$@"
  '';

  hardening = import ./ccci-hardening.nix { inherit lib cfg; };

  serviceBase = {
    inherit environment;
    path = [
      cfg.package
      config.virtualisation.docker.package
      pkgs.git
      pkgs.coreutils
      pkgs.util-linux
    ]
    ++ cfg.extraPath;
    after = [
      "docker.service"
      "network-online.target"
    ]
    ++ lib.optional cfg.initSwarm "ccci-swarm-init.service";
    requires = [ "docker.service" ] ++ lib.optional cfg.initSwarm "ccci-swarm-init.service";
    wants = [ "network-online.target" ];
  };

  serviceConfigBase = hardening // {
    User = cfg.user;
    Group = cfg.group;
    SupplementaryGroups = [ "docker" ];
    WorkingDirectory = cfg.stateDir;
    LoadCredential = loadCredential;
    EnvironmentFile = lib.optional (cfg.environmentFile != null) cfg.environmentFile;
  };
in
{
  # The warm-Keycloak reconciler (oneshot + timer) lives in its own module; bring it in when present.
  imports = if hasWarmKeycloak then [ ./warm-keycloak.nix ] else [ ];

  options.services.ccci = import ./ccci-options.nix { inherit lib pkgs; };

  config = mkIf cfg.enable (
    lib.optionalAttrs hasWarmKeycloak { services.ccci.warmKeycloak.package = lib.mkDefault cfg.package; }
    // {
      assertions = [
        {
          assertion = lib.all (name: lib.hasPrefix "CCCI_" name) (builtins.attrNames cfg.settings);
          message = "services.ccci.settings: every name must start with CCCI_ (Probot's variables have their own options)";
        }
        {
          assertion = lib.all (
            file: lib.hasPrefix "/" file && !(lib.hasPrefix builtins.storeDir file)
          ) (builtins.attrValues credentials);
          message = "services.ccci: secret files must be absolute paths outside the Nix store";
        }
        {
          assertion =
            cfg.forge != "gitea"
            || (
              (cfg.giteaUrl != null || cfg.settings ? CCCI_GITEA_URL)
              && cfg.giteaTokenFile != null
              && cfg.webhookSecretFile != null
            );
          message = "services.ccci: forge = \"gitea\" needs giteaUrl, giteaTokenFile and webhookSecretFile (docs/gitea.md)";
        }
      ];

      virtualisation.docker.enable = true;

      users.users = lib.optionalAttrs defaultUser {
        ccci = {
          isSystemUser = true;
          group = cfg.group;
          home = cfg.stateDir;
          extraGroups = [ "docker" ];
          description = "ccci CI bot";
        };
      };
      users.groups = lib.optionalAttrs (cfg.group == "ccci") { ccci = { }; };

      systemd.tmpfiles.rules = [ "d ${cfg.stateDir} 0750 ${cfg.user} ${cfg.group} - -" ];

      systemd.services.ccci = serviceBase // {
        description = "ccci: ChatOps CI for Co-op Cloud recipes (GitHub App)";
        wantedBy = [ "multi-user.target" ];
        serviceConfig = serviceConfigBase // {
          Type = "simple";
          ExecStart = "${withCredentials} ${node} ${main}";
          Restart = "on-failure";
          RestartSec = "10s";
          # A stop cancels runs and still tears them down: give teardown time before SIGKILL.
          TimeoutStopSec = "5min";
          KillMode = "mixed";
        };
      };

      systemd.services.ccci-sweep = mkIf cfg.sweep.enable (
        serviceBase
        // {
          description = "ccci nightly sweep: cold runs of every enrolled recipe";
          serviceConfig = serviceConfigBase // {
            Type = "oneshot";
            ExecStart = "${withCredentials} ${cfg.package}/bin/ccci sweep";
            TimeoutStartSec = cfg.sweep.timeout;
          };
        }
      );

      systemd.timers.ccci-sweep = mkIf cfg.sweep.enable {
        description = "ccci nightly sweep";
        wantedBy = [ "timers.target" ];
        timerConfig = {
          OnCalendar = cfg.sweep.onCalendar;
          RandomizedDelaySec = cfg.sweep.randomizedDelay;
          Persistent = true;
        };
      };

      systemd.services.ccci-swarm-init = mkIf cfg.initSwarm {
        description = "Single-node Docker Swarm and the proxy network for ccci";
        after = [ "docker.service" ];
        requires = [ "docker.service" ];
        path = [ config.virtualisation.docker.package ];
        serviceConfig = {
          Type = "oneshot";
          RemainAfterExit = true;
        };
        script = ''
          if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != "active" ]; then
            docker swarm init --advertise-addr ${cfg.swarmAdvertiseAddress}
          fi
          docker network inspect proxy >/dev/null 2>&1 \
            || docker network create --driver overlay --attachable --scope swarm proxy
        '';
      };
    }
  );
}
