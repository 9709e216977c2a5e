import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const modulePath = fileURLToPath(new URL("../../nix/modules/warm-keycloak.nix", import.meta.url));
const hasNix = await execa("nix-instantiate", ["--version"], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);
if (!hasNix)
  console.warn("\n*** nix/modules/warm-keycloak.nix check SKIPPED: nix-instantiate not found ***\n");

/**
 * Evaluates the module's `config` with a stub of the few nixpkgs `lib` functions it uses (no nixpkgs
 * here): proves it parses, and that the oneshot and timer come out as documented.
 */
const harness = `{ module, enable }:
let
  lib = {
    mkEnableOption = d: { description = d; };
    mkOption = x: x;
    mkIf = c: v: if c then v else { };
    types = { package = "package"; str = "str"; strMatching = r: r; nullOr = t: t; };
    optional = c: v: if c then [ v ] else [ ];
    optionalAttrs = c: a: if c then a else { };
    getExe = p: "\${p}/bin/ccci";
  };
  pkgs = { docker = "/nix/store/docker"; git = "/nix/store/git"; };
  config.services.ccci.warmKeycloak = {
    inherit enable;
    package = "/nix/store/ccci"; url = "https://sso.ci.example.org"; publicUrl = null;
    adminUser = "admin"; adminPasswordFile = "/run/keys/kc"; instanceId = "ccci-prod";
    interval = "15min"; user = "ccci"; environmentFile = null;
  };
in (import module { inherit config lib pkgs; }).config
`;

describe.skipIf(!hasNix)("nix/modules/warm-keycloak.nix", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ccci-nix-"));
    await writeFile(join(dir, "harness.nix"), harness);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // The module's evaluated `config`, as nix prints it: plain JSON of unknown shape.
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field below
  async function evaluate(enable: boolean): Promise<any> {
    const args = ["--eval", "--strict", "--json", join(dir, "harness.nix"), "--arg", "module", modulePath];
    const { stdout } = await execa("nix-instantiate", [...args, "--arg", "enable", String(enable)]);
    return JSON.parse(stdout);
  }

  it("runs `ccci warm-keycloak reconcile` as a oneshot with the password as a credential, on a timer", async () => {
    const config = await evaluate(true);
    const service = config.systemd.services["ccci-warm-keycloak"];
    expect(service.serviceConfig).toMatchObject({
      Type: "oneshot",
      ExecStart: "/nix/store/ccci/bin/ccci warm-keycloak reconcile",
      LoadCredential: ["keycloak-admin-password:/run/keys/kc"],
    });
    expect(service.environment).toEqual({
      CCCI_KEYCLOAK_URL: "https://sso.ci.example.org",
      CCCI_KEYCLOAK_ADMIN_USER: "admin",
      CCCI_KEYCLOAK_ADMIN_PASSWORD_FILE: "%d/keycloak-admin-password",
      CCCI_INSTANCE_ID: "ccci-prod",
    });
    expect(config.systemd.timers["ccci-warm-keycloak"].timerConfig).toMatchObject({
      OnUnitActiveSec: "15min",
      Unit: "ccci-warm-keycloak.service",
    });
  });

  it("adds nothing when disabled", async () => {
    expect(await evaluate(false)).toEqual({});
  });
});
