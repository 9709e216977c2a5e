# The options of `services.ccci` (imported by ./ccci.nix, which implements them).
{ lib, pkgs }:

let
  inherit (lib) mkEnableOption mkOption types;
  secretFile =
    what:
    mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/run/keys/ccci-${lib.toLower (lib.replaceStrings [ " " ] [ "-" ] what)}";
      description = ''
        File holding the ${what}, handed to the service with systemd's LoadCredential. Give it as a
        string, not a Nix path: a path would copy the secret into the world-readable Nix store.
      '';
    };
in
{
  enable = mkEnableOption "ccci, the ChatOps CI bot for Co-op Cloud recipes";

  package = mkOption {
    type = types.package;
    default = pkgs.callPackage ../package.nix { };
    defaultText = lib.literalExpression "pkgs.callPackage ./nix/package.nix { }";
    description = "The ccci package (built from this repository with buildNpmPackage).";
  };

  settings = mkOption {
    type = types.attrsOf (
      types.oneOf [
        types.str
        types.int
        types.bool
      ]
    );
    default = { };
    example = lib.literalExpression ''
      {
        CCCI_DOMAIN = "ci.example.org";
        CCCI_MAX_TESTS = 4;
        CCCI_KEYCLOAK_URL = "http://127.0.0.1:18080";
      }
    '';
    description = ''
      CCCI_* settings, each exported as the environment variable of the same name (integers and
      booleans as text). docs/configuration.md lists them all; `ccci config check` validates them.
      CCCI_STATE_DIR defaults to `stateDir`.
    '';
  };

  environmentFile = mkOption {
    type = types.nullOr types.str;
    default = null;
    example = "/run/keys/ccci.env";
    description = ''
      Optional systemd EnvironmentFile with further variables (for example PRIVATE_KEY inline, or
      GHE_HOST). Kept out of the Nix store.
    '';
  };

  appIdFile = secretFile "GitHub App id";
  privateKeyFile = secretFile "GitHub App private key (PEM)";
  webhookSecretFile = secretFile "GitHub webhook secret";
  keycloakAdminPasswordFile = secretFile "warm Keycloak admin password";

  forge = mkOption {
    type = types.enum [
      "github"
      "gitea"
    ];
    default = "github";
    description = ''
      Which forge the bot serves (CCCI_FORGE): a GitHub App (`appIdFile`, `privateKeyFile`,
      `webhookSecretFile`) or one Gitea/Forgejo instance as a bot user (`giteaUrl`, `giteaTokenFile`,
      `webhookSecretFile` holding the hook's secret). See docs/gitea.md.
    '';
  };

  giteaUrl = mkOption {
    type = types.nullOr types.str;
    default = null;
    example = "https://git.coopcloud.tech";
    description = "Base URL of the Gitea or Forgejo instance (CCCI_GITEA_URL); required with forge = \"gitea\".";
  };

  giteaTokenFile = secretFile "Gitea bot user's API token";

  stateDir = mkOption {
    type = types.str;
    default = "/var/lib/ccci";
    description = "Run directories, journals, enrolment, canonical registry and snapshots (CCCI_STATE_DIR).";
  };

  user = mkOption {
    type = types.str;
    default = "ccci";
    description = ''
      User the bot runs as; the default `ccci` is created as a system user in the `docker` group.
      Warm snapshots mount overlays and read Docker's volume directories, which needs root: set
      `"root"` to use `--quick` canonicals (hardening then keeps capabilities).
    '';
  };

  group = mkOption {
    type = types.str;
    default = "ccci";
    description = "Group of the bot's user and state directory.";
  };

  port = mkOption {
    type = types.port;
    default = 3000;
    description = "Port of the webhook server (PORT).";
  };

  listenAddress = mkOption {
    type = types.str;
    default = "127.0.0.1";
    description = "Address the webhook server binds (HOST); put a TLS reverse proxy in front of it.";
  };

  logLevel = mkOption {
    type = types.enum [
      "trace"
      "debug"
      "info"
      "warn"
      "error"
      "fatal"
    ];
    default = "info";
    description = "LOG_LEVEL of the bot (JSON logs go to the journal).";
  };

  extraPath = mkOption {
    type = types.listOf types.package;
    default = [ ];
    example = lib.literalExpression "[ pkgs.abra ]";
    description = "More programs on the service's PATH, e.g. abra for CCCI_DRIVER = \"abra\".";
  };

  initSwarm = mkOption {
    type = types.bool;
    default = false;
    description = ''
      Run `docker swarm init` (single node) when the host is not in a swarm yet, and create the external
      `proxy` overlay network recipes join. Leave off when the host is already managed as a swarm node.
    '';
  };

  swarmAdvertiseAddress = mkOption {
    type = types.str;
    default = "127.0.0.1";
    description = "--advertise-addr for `docker swarm init` when `initSwarm` is on.";
  };

  sweep = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Run `ccci sweep` (cold runs of every enrolled recipe) from a timer.";
    };
    onCalendar = mkOption {
      type = types.str;
      default = "*-*-* 03:00:00";
      description = "When the sweep runs (systemd OnCalendar syntax, see systemd.time(7)).";
    };
    randomizedDelay = mkOption {
      type = types.str;
      default = "30min";
      description = "RandomizedDelaySec of the sweep timer.";
    };
    timeout = mkOption {
      type = types.str;
      default = "6h";
      description = "TimeoutStartSec of the sweep: it is stopped (and its runs torn down) after this.";
    };
  };
}
