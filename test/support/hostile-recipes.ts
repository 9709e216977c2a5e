// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose syntax, not templates
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";

/**
 * Hostile recipes and pull-request shapes for ccci's compose policy: each a mutation of the `hello`
 * fixture (a real Co-op Cloud-shaped recipe) and the refusal it must meet. Shared by the unit tests of
 * the policy and the e2e suite that runs each through the real CLI on the real swarm.
 */
export interface HostileCase {
  name: string;
  mutate: (dir: string) => void;
  /** The refusal: code and the words that name file, service and key. */
  code: "RECIPE_POLICY" | "RECIPE_INVALID";
  message: RegExp;
  /** Text that must not appear anywhere in the run's output (a secret's value). */
  absent?: string;
  /** Exceptions the operator grants in the enrolment for this case. */
  allow?: string[];
}

const helloFixture = resolve(import.meta.dirname, "../fixtures/recipes/hello");

// biome-ignore lint/suspicious/noExplicitAny: test mutations of free-form compose YAML
type Compose = Record<string, any>;

/** Edits a compose file of the recipe as YAML. */
export function editCompose(dir: string, edit: (compose: Compose) => void, file = "compose.yml"): void {
  const path = join(dir, file);
  const compose = parse(readFileSync(path, "utf8")) as Compose;
  edit(compose);
  writeFileSync(path, stringify(compose));
}

const app = (edit: (service: Compose) => void) => (dir: string) =>
  editCompose(dir, (c) => edit(c.services.app));

function replaceWithSymlink(dir: string, rel: string, target: string): void {
  rmSync(join(dir, rel), { recursive: true, force: true });
  symlinkSync(target, join(dir, rel));
}

/** Adds an overlay and enables it with COMPOSE_FILE, as Co-op Cloud recipes do for optional features. */
function withOverlay(dir: string, overlay: Compose): void {
  writeFileSync(join(dir, "compose.extra.yml"), stringify(overlay));
  const sample = readFileSync(join(dir, ".env.sample"), "utf8");
  writeFileSync(
    join(dir, ".env.sample"),
    sample.replace('COMPOSE_FILE="compose.yml"', 'COMPOSE_FILE="compose.yml:compose.extra.yml"'),
  );
}

const appendSample = (dir: string, line: string) =>
  writeFileSync(join(dir, ".env.sample"), `${readFileSync(join(dir, ".env.sample"), "utf8")}\n${line}\n`);

export const SECRET_LOOKING_VALUE = "s3cr3t-Value-Of-The-Recipe-9f8e7d";

export const hostileCases: HostileCase[] = [
  {
    name: "a bind mount of the host's /",
    mutate: app((s) => s.volumes.push("/:/host")),
    code: "RECIPE_POLICY",
    message:
      /compose\.yml: service app: volumes: bind-mounts the host path \/, which holds the Docker socket/,
  },
  {
    name: "the Docker socket, short form",
    mutate: app((s) => s.volumes.push("/var/run/docker.sock:/var/run/docker.sock")),
    code: "RECIPE_POLICY",
    message:
      /service app: volumes: bind-mounts the host path \/var\/run\/docker\.sock, which is the Docker socket.*allow: \[docker-socket\]/,
  },
  {
    name: "the Docker socket, long form (type: bind)",
    mutate: app((s) => s.volumes.push({ type: "bind", source: "/run/docker.sock", target: "/sock" })),
    code: "RECIPE_POLICY",
    message:
      /service app: volumes: bind-mounts the host path \/run\/docker\.sock, which is the Docker socket/,
  },
  {
    name: "a relative bind that climbs out of the checkout (../../)",
    mutate: app((s) => s.volumes.push("../../:/up")),
    code: "RECIPE_POLICY",
    message: /service app: volumes: bind-mounts the host path \/.*\(an operator may allow/,
  },
  {
    name: "a relative bind of the checkout itself (resolves on the host too)",
    mutate: app((s) => s.volumes.push("./:/recipe:ro")),
    code: "RECIPE_POLICY",
    message:
      /service app: volumes: bind-mounts the host path (\/\S+) \(an operator may allow it for this recipe with `allow: \[bind-mount:\1\]`/,
  },
  {
    name: "a bind of the home directory (~/.ssh)",
    mutate: app((s) => s.volumes.push("~/.ssh:/ssh")),
    code: "RECIPE_POLICY",
    message: /service app: volumes: bind-mounts the host path \/.*\.ssh/,
  },
  {
    name: "a bind hidden behind a variable of .env.sample",
    mutate: (dir) => {
      appendSample(dir, "DATA_DIR=/etc");
      app((s) => s.volumes.push("${DATA_DIR}:/data2"))(dir);
    },
    code: "RECIPE_POLICY",
    message: /service app: volumes: bind-mounts the host path \/etc/,
  },
  {
    name: "a named volume whose driver_opts bind the host",
    mutate: (dir) =>
      editCompose(dir, (c) => {
        c.volumes.data = { driver: "local", driver_opts: { type: "none", o: "bind", device: "/" } };
      }),
    code: "RECIPE_POLICY",
    message: /compose\.yml: volumes\.data: driver_opts: sets a volume driver or its options/,
  },
  {
    name: "privileged: true",
    mutate: app((s) => {
      s.privileged = true;
    }),
    code: "RECIPE_POLICY",
    message: /service app: privileged: runs privileged.*allow: \[privileged\]/,
  },
  {
    name: "cap_add: SYS_ADMIN",
    mutate: app((s) => {
      s.cap_add = ["SYS_ADMIN"];
    }),
    code: "RECIPE_POLICY",
    message: /service app: cap_add: adds the capability SYS_ADMIN.*allow: \[cap_add:SYS_ADMIN\]/,
  },
  {
    name: "devices: /dev/mem",
    mutate: app((s) => {
      s.devices = ["/dev/mem:/dev/mem"];
    }),
    code: "RECIPE_POLICY",
    message: /service app: devices: passes the host device \/dev\/mem/,
  },
  {
    name: "pid: host",
    mutate: app((s) => {
      s.pid = "host";
    }),
    code: "RECIPE_POLICY",
    message: /service app: pid: pid: host shares the host's namespace/,
  },
  {
    name: "ipc: host",
    mutate: app((s) => {
      s.ipc = "host";
    }),
    code: "RECIPE_POLICY",
    message: /service app: ipc: ipc: host/,
  },
  {
    name: "network_mode: host",
    mutate: app((s) => {
      s.network_mode = "host";
    }),
    code: "RECIPE_POLICY",
    message: /service app: network_mode: network_mode: host/,
  },
  {
    name: "userns_mode: host",
    mutate: app((s) => {
      s.userns_mode = "host";
    }),
    code: "RECIPE_POLICY",
    message: /service app: userns_mode: userns_mode: host/,
  },
  {
    name: "network_mode: container:<another stack's container>",
    mutate: app((s) => {
      s.network_mode = "container:warm_hello_ci_localhost_app.1";
    }),
    code: "RECIPE_POLICY",
    message: /service app: network_mode: network_mode: container:.* joins another container's namespace/,
  },
  {
    name: "security_opt seccomp=unconfined",
    mutate: app((s) => {
      s.security_opt = ["seccomp=unconfined"];
    }),
    code: "RECIPE_POLICY",
    message: /service app: security_opt: sets seccomp=unconfined/,
  },
  {
    name: "security_opt apparmor:unconfined",
    mutate: app((s) => {
      s.security_opt = ["no-new-privileges:true", "apparmor:unconfined"];
    }),
    code: "RECIPE_POLICY",
    message: /service app: security_opt: sets apparmor:unconfined/,
  },
  {
    name: "security_opt label=disable",
    mutate: app((s) => {
      s.security_opt = ["label=disable"];
    }),
    code: "RECIPE_POLICY",
    message: /service app: security_opt: sets label=disable/,
  },
  {
    name: "a port published on the host (long form, mode host)",
    mutate: app((s) => {
      s.ports = [{ target: 8080, published: 18099, mode: "host" }];
    }),
    code: "RECIPE_POLICY",
    message: /service app: ports: publishes port 18099 on the host.*allow: \[port:18099\]/,
  },
  {
    name: "a port published on the host (short form)",
    mutate: app((s) => {
      s.ports = ["0.0.0.0:2222:22/tcp"];
    }),
    code: "RECIPE_POLICY",
    message: /service app: ports: publishes port 2222 on the host/,
  },
  {
    name: "1000 replicas",
    mutate: app((s) => {
      s.deploy.replicas = 1000;
    }),
    code: "RECIPE_POLICY",
    message:
      /service app: deploy\.replicas: asks for 1000 replicas, above the operator's cap CCCI_MAX_REPLICAS=10 \(no exception can allow it\)/,
  },
  {
    name: "a 365-day timeout label",
    mutate: (dir) => appendSample(dir, "TIMEOUT=31536000"),
    code: "RECIPE_POLICY",
    message:
      /deploy\.labels\.coop-cloud\..*\.timeout: asks for a 31536000 s timeout, above the operator's cap CCCI_MAX_TIMEOUT=1800/,
  },
  {
    name: "a violation only in an overlay enabled by COMPOSE_FILE",
    mutate: (dir) => withOverlay(dir, { version: "3.8", services: { app: { privileged: true } } }),
    code: "RECIPE_POLICY",
    message: /compose\.extra\.yml: service app: privileged: runs privileged/,
  },
  {
    name: "a violation hidden behind a YAML merge key",
    mutate: (dir) => {
      const text = readFileSync(join(dir, "compose.yml"), "utf8");
      writeFileSync(
        join(dir, "compose.yml"),
        text.replace(
          "services:\n  app:\n",
          "x-hostile: &hostile\n  cap_add: [NET_ADMIN]\nservices:\n  app:\n    <<: *hostile\n",
        ),
      );
    },
    code: "RECIPE_POLICY",
    message: /service app: cap_add: adds the capability NET_ADMIN/,
  },
  {
    name: "the warm canonical's volume, as an external volume",
    mutate: (dir) =>
      editCompose(dir, (c) => {
        c.volumes.data = { external: true, name: "warm-hello_ci_localhost_data" };
      }),
    code: "RECIPE_POLICY",
    message:
      /volumes\.data: external: uses the volume warm-hello_ci_localhost_data, which is not one of the stack's own/,
  },
  {
    name: "another stack's secret, by name",
    mutate: (dir) =>
      editCompose(dir, (c) => {
        c.secrets.api_key.name = "warm-keyc_ci_localhost_admin_password_v1";
      }),
    code: "RECIPE_POLICY",
    message: /secrets\.api_key: external: uses the secret warm-keyc_ci_localhost_admin_password_v1/,
  },
  {
    name: "another stack's network, as an external network",
    mutate: (dir) =>
      editCompose(dir, (c) => {
        c.networks.other = { external: true, name: "warm-hello_ci_localhost_default" };
        c.services.app.networks.push("other");
      }),
    code: "RECIPE_POLICY",
    message: /networks\.other: external: uses the network warm-hello_ci_localhost_default/,
  },
  {
    name: "a config whose file: is ../../etc/passwd",
    mutate: (dir) =>
      editCompose(dir, (c) => {
        c.configs = { passwd: { file: "../../../../../../../etc/passwd" } };
      }),
    code: "RECIPE_POLICY",
    message: /compose\.yml: configs\.passwd\.file: path \.\.\/.*etc\/passwd leaves the recipe's checkout/,
  },
  {
    name: "env_file: /proc/self/environ (the deploy's environment into the app)",
    mutate: app((s) => {
      s.env_file = ["/proc/self/environ"];
    }),
    code: "RECIPE_POLICY",
    message: /compose\.yml: service app: path \/proc\/self\/environ leaves the recipe's checkout/,
  },
  {
    name: "a secret file: symlinked to /etc/shadow",
    mutate: (dir) => {
      symlinkSync("/etc/shadow", join(dir, "secret.txt"));
      editCompose(dir, (c) => {
        c.secrets.api_key = { file: "./secret.txt" };
      });
    },
    code: "RECIPE_POLICY",
    message: /secret\.txt is a symlink that leaves the recipe's checkout/,
  },
  {
    name: "a symlinked compose.yml (to a file outside the checkout)",
    mutate: (dir) => {
      const outside = join(mkdtempSync(join(tmpdir(), "ccci-outside-")), "compose.yml");
      cpSync(join(dir, "compose.yml"), outside);
      replaceWithSymlink(dir, "compose.yml", outside);
    },
    code: "RECIPE_POLICY",
    message: /^compose\.yml is a symlink that leaves the recipe's checkout; refused$/,
  },
  {
    name: "a symlinked .env.sample → /etc/shadow",
    mutate: (dir) => replaceWithSymlink(dir, ".env.sample", "/etc/shadow"),
    code: "RECIPE_POLICY",
    message: /^\.env\.sample is a symlink that leaves the recipe's checkout; refused$/,
  },
  {
    name: "a symlinked abra.sh → the bot's private key",
    mutate: (dir) => replaceWithSymlink(dir, "abra.sh", "/etc/ccci/private-key.pem"),
    code: "RECIPE_POLICY",
    message: /^abra\.sh is a symlink that leaves the recipe's checkout/,
  },
  {
    name: "a symlinked tests dir → /",
    mutate: (dir) => replaceWithSymlink(dir, "tests", "/"),
    code: "RECIPE_POLICY",
    message: /^tests is a symlink that leaves the recipe's checkout/,
  },
  {
    name: "a custom assert symlinked to /usr/bin/env",
    mutate: (dir) => replaceWithSymlink(dir, "tests/ccci/10-serves-greeting", "/usr/bin/env"),
    code: "RECIPE_POLICY",
    message: /^tests\/ccci\/10-serves-greeting is a symlink that leaves the recipe's checkout/,
  },
  {
    name: "a symlinked ccci.yml → /etc/hostname",
    mutate: (dir) => symlinkSync("/etc/hostname", join(dir, "ccci.yml")),
    code: "RECIPE_POLICY",
    message: /^ccci\.yml is a symlink that leaves the recipe's checkout/,
  },
  {
    name: "a symlink climbing out through a relative path (docs/x → ../../..)",
    mutate: (dir) => {
      mkdirSync(join(dir, "docs"));
      symlinkSync("../../../../..", join(dir, "docs", "x"));
    },
    code: "RECIPE_POLICY",
    message: /^docs\/x is a symlink that leaves the recipe's checkout/,
  },
  {
    name: "a recipe's value in a port label is not echoed in the error",
    mutate: (dir) => {
      appendSample(dir, `APP_PORT=${SECRET_LOOKING_VALUE}`);
      const text = readFileSync(join(dir, "compose.yml"), "utf8");
      writeFileSync(join(dir, "compose.yml"), text.replace("server.port=8080", "server.port=${APP_PORT}"));
    },
    code: "RECIPE_INVALID",
    message:
      /label traefik\.http\.services\..*\.loadbalancer\.server\.port on service app is not a port \(1 to 65535\)/,
    absent: SECRET_LOOKING_VALUE,
  },
  {
    name: "a ccci.yml that tries to grant itself an exception (only the operator can)",
    mutate: (dir) => {
      writeFileSync(join(dir, "ccci.yml"), "allow: [privileged]\n");
      app((s) => {
        s.privileged = true;
      })(dir);
    },
    code: "RECIPE_POLICY",
    message: /service app: privileged: runs privileged/,
  },
  {
    name: "an exception for the socket allows the socket and nothing else",
    mutate: app((s) => {
      s.volumes.push("/var/run/docker.sock:/var/run/docker.sock:ro");
      s.cap_add = ["NET_ADMIN"];
    }),
    allow: ["docker-socket"],
    code: "RECIPE_POLICY",
    message:
      /^refused by ccci's compose policy:\n {2}compose\.yml: service app: cap_add: adds the capability NET_ADMIN \(an operator may allow it for this recipe with `allow: \[cap_add:NET_ADMIN\]` in the enrolment\)$/,
  },
  {
    name: "many findings in one message, bounded (25 ports: 20 listed, 5 counted)",
    mutate: app((s) => {
      s.ports = Array.from({ length: 25 }, (_, i) => `${20000 + i}:8080`);
    }),
    code: "RECIPE_POLICY",
    message: /publishes port 20019 on the host[^\n]*\n {2}… and 5 more$/,
  },
];

/** A copy of the hello fixture with the case's mutation, in a directory named `hello`. */
export function hostileRecipe(hostile: HostileCase): string {
  const dir = join(mkdtempSync(join(tmpdir(), "ccci-hostile-")), "hello");
  cpSync(helloFixture, dir, { recursive: true });
  hostile.mutate(dir);
  return dir;
}
