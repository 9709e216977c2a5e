# What `scripts/check-nix.sh` evaluates without nixpkgs: the module, package and flake against the stubs
# in this directory. Each check is a name and a boolean; the result lists them as PASS/FAIL lines.
let
  lib = import ./stub-lib.nix;
  pkgs = import ./stub-pkgs.nix { inherit lib; };
  root = toString ../..;
  evalWith =
    values:
    import ./eval-module.nix {
      inherit lib pkgs values;
      module = import ../modules/ccci.nix;
    };
  # Whether reading option `name` fails for these values (only that option is forced, like NixOS does).
  fails = values: name: !(builtins.tryEval (builtins.deepSeq (evalWith values).cfg.${name} true)).success;
  has = needle: haystack: builtins.match ".*${lib.escapeRegex needle}.*" haystack != null;

  full = evalWith {
    enable = true;
    settings = {
      CCCI_DOMAIN = "ci.example.org";
      CCCI_MAX_TESTS = 4;
    };
    appIdFile = "/run/keys/app-id";
    privateKeyFile = "/run/keys/app.pem";
    webhookSecretFile = "/run/keys/webhook-secret";
    sweep.onCalendar = "Mon *-*-* 02:00:00";
    warmKeycloak = {
      enable = true;
      url = "http://127.0.0.1:18080";
      adminPasswordFile = "/run/keys/kc-admin";
      instanceId = "ccci-prod";
    };
  };
  bot = full.config.systemd.services.ccci;
  sweep = full.config.systemd.services.ccci-sweep;
  env = bot.environment;

  asRoot = evalWith {
    enable = true;
    user = "root";
    initSwarm = true;
    sweep.enable = false;
  };
  badName = evalWith {
    enable = true;
    settings.LOG_LEVEL = "debug";
  };
  storeSecret = evalWith {
    enable = true;
    webhookSecretFile = "/nix/store/abc-secret";
  };

  gitea = evalWith {
    enable = true;
    forge = "gitea";
    giteaUrl = "https://git.example.org";
    giteaTokenFile = "/run/keys/gitea-token";
    webhookSecretFile = "/run/keys/gitea-hook";
  };
  giteaBot = gitea.config.systemd.services.ccci;
  giteaIncomplete = evalWith {
    enable = true;
    forge = "gitea";
    giteaTokenFile = "/run/keys/gitea-token";
  };

  package = pkgs.callPackage ../package.nix { };
  keeps = path: package.src.filter "${root}/${path}" "regular";

  flake = import ../../flake.nix;
  outputs = flake.outputs {
    self = outputs;
    nixpkgs = {
      inherit lib;
      legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] (_: pkgs);
    };
  };

  checks = {
    "module: disabled means no configuration at all" = (evalWith { }).config == null;
    "module: an unknown option fails" = fails { enabel = true; } "enable";
    "module: a mistyped option fails" = fails { port = "3000"; } "port" && !(fails { port = 3000; } "port");
    "module: a setting that is not text, number or boolean fails" = fails { settings.CCCI_X = [ ]; } "settings";
    "module: docker is enabled" = full.config.virtualisation.docker.enable;
    "module: user ccci is a system user in the docker group" =
      full.config.users.users.ccci.isSystemUser && builtins.elem "docker" full.config.users.users.ccci.extraGroups;
    "module: state dir /var/lib/ccci is created for the user" =
      full.config.systemd.tmpfiles.rules == [ "d /var/lib/ccci 0750 ccci ccci - -" ];
    "module: the bot runs node on dist/main.js" =
      has "/bin/node /nix/store/00000000000000000000000000000000-ccci-0.1.0/lib/node_modules/ccci/dist/main.js" bot.serviceConfig.ExecStart;
    "module: the bot starts after docker and restarts on failure" =
      builtins.elem "docker.service" bot.requires && bot.serviceConfig.Restart == "on-failure";
    "module: settings become environment variables (numbers as text)" =
      env.CCCI_DOMAIN == "ci.example.org" && env.CCCI_MAX_TESTS == "4";
    "module: CCCI_STATE_DIR and HOME default to stateDir" =
      env.CCCI_STATE_DIR == "/var/lib/ccci" && env.HOME == "/var/lib/ccci";
    "module: PORT/HOST/LOG_LEVEL from their options" =
      env.PORT == "3000" && env.HOST == "127.0.0.1" && env.LOG_LEVEL == "info";
    "module: secrets arrive as credentials, not in the environment" =
      bot.serviceConfig.LoadCredential == [
        "app-id:/run/keys/app-id"
        "keycloak-admin-password:/run/keys/kc-admin"
        "private-key:/run/keys/app.pem"
        "webhook-secret:/run/keys/webhook-secret"
      ]
      && !(env ? WEBHOOK_SECRET) && !(env ? APP_ID);
    "module: the start script exports APP_ID/WEBHOOK_SECRET and points at the key file" =
      has ''export APP_ID'' bot.serviceConfig.ExecStart
      && has ''export WEBHOOK_SECRET'' bot.serviceConfig.ExecStart
      && has ''export PRIVATE_KEY_PATH="$creds/private-key"'' bot.serviceConfig.ExecStart;
    "module: the bot joins the docker group and keeps docker reachable" =
      bot.serviceConfig.SupplementaryGroups == [ "docker" ]
      && !(bot.serviceConfig ? PrivateUsers) && !(bot.serviceConfig ? MemoryDenyWriteExecute)
      && builtins.elem "AF_UNIX" bot.serviceConfig.RestrictAddressFamilies;
    "module: hardened with ProtectSystem=strict, state dir writable" =
      bot.serviceConfig.ProtectSystem == "strict" && bot.serviceConfig.ReadWritePaths == [ "/var/lib/ccci" ]
      && bot.serviceConfig.NoNewPrivileges && bot.serviceConfig.CapabilityBoundingSet == "";
    "module: the sweep is a oneshot running `ccci sweep`" =
      sweep.serviceConfig.Type == "oneshot" && has "/bin/ccci sweep" sweep.serviceConfig.ExecStart;
    "module: the sweep timer uses the configured OnCalendar" =
      full.config.systemd.timers.ccci-sweep.timerConfig.OnCalendar == "Mon *-*-* 02:00:00"
      && full.config.systemd.timers.ccci-sweep.timerConfig.Persistent;
    "module: warm Keycloak settings reach the bot" =
      env.CCCI_KEYCLOAK_URL == "http://127.0.0.1:18080" && env.CCCI_INSTANCE_ID == "ccci-prod";
    "module: the warm-Keycloak module gets this package by default" =
      full.config.services.ccci.warmKeycloak.package.content.pname == "ccci";
    "module: imports warm-keycloak.nix exactly when it exists" =
      full.imports == (if builtins.pathExists ../modules/warm-keycloak.nix then [ ../modules/warm-keycloak.nix ] else [ ]);
    "module: sweep.enable = false removes the sweep" =
      !(asRoot.config.systemd.timers ? ccci-sweep) && !(asRoot.config.systemd.services ? ccci-sweep);
    "module: initSwarm adds the swarm-init oneshot before the bot" =
      asRoot.config.systemd.services ? ccci-swarm-init
      && builtins.elem "ccci-swarm-init.service" asRoot.config.systemd.services.ccci.requires;
    "module: as root, no ccci user and capabilities kept" =
      asRoot.config.users.users == { } && !(asRoot.config.systemd.services.ccci.serviceConfig ? CapabilityBoundingSet);
    "module: a non-CCCI_ name in settings trips an assertion" =
      !(builtins.head badName.config.assertions).assertion;
    "module: a secret file in the Nix store trips an assertion" =
      !(builtins.elemAt storeSecret.config.assertions 1).assertion;
    "module: a valid configuration passes every assertion" =
      builtins.all (a: a.assertion) full.config.assertions;
    "module: forge = gitea sets CCCI_FORGE and CCCI_GITEA_URL; the token is a credential file" =
      giteaBot.environment.CCCI_FORGE == "gitea" && giteaBot.environment.CCCI_GITEA_URL == "https://git.example.org"
      && giteaBot.serviceConfig.LoadCredential == [ "gitea-token:/run/keys/gitea-token" "webhook-secret:/run/keys/gitea-hook" ]
      && has ''export CCCI_GITEA_TOKEN_FILE="$creds/gitea-token"'' giteaBot.serviceConfig.ExecStart
      && has ''export CCCI_GITEA_WEBHOOK_SECRET_FILE="$creds/webhook-secret"'' giteaBot.serviceConfig.ExecStart
      && builtins.all (a: a.assertion) gitea.config.assertions;
    "module: the GitHub default sets no CCCI_FORGE" = !(env ? CCCI_FORGE) && !(env ? CCCI_GITEA_URL);
    "module: forge = gitea without giteaUrl or webhookSecretFile trips an assertion" =
      !(builtins.elemAt giteaIncomplete.config.assertions 2).assertion;
    "module: an unknown forge fails" = fails { forge = "gitlab"; } "forge";
    "package: name and version come from package.json" =
      package.pname == "ccci" && package.version == (lib.importJSON ../../package.json).version;
    "package: built with Node 20, no native addons to compile" =
      package.builtWithNode == "nodejs-20" && !(package ? nativeBuildInputs);
    "package: npmDepsHash is still the lib.fakeHash placeholder" = package.npmDepsHash == lib.fakeHash;
    "package: the source keeps src/ and the lock file, drops node_modules/ dist/ test/" =
      keeps "src/cli.ts" && keeps "package-lock.json" && !(keeps "node_modules/zod") && !(keeps "dist/cli.js") && !(keeps "test/x.test.ts");
    "package: ccci is its main program" = package.meta.mainProgram == "ccci";
    "flake: packages.<system>.default is ccci" =
      outputs.packages.x86_64-linux.default.pname == "ccci" && outputs.packages.aarch64-linux.ccci.pname == "ccci";
    "flake: nixosModules.default and .ccci are the module" =
      outputs.nixosModules.default == ../modules/ccci.nix && outputs.nixosModules.ccci == ../modules/ccci.nix;
    "flake: nixpkgs input is declared" = flake.inputs.nixpkgs.url == "github:NixOS/nixpkgs/nixos-unstable";
  };
in
lib.mapAttrsToList (name: ok: "${if ok then "PASS" else "FAIL"} ${name}") checks
