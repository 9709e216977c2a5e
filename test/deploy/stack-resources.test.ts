// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell syntax, not templates
import { describe, expect, it } from "vitest";
import { DockerCli } from "../../src/deploy/docker.js";
import { countResources, describeResources, listStackResources } from "../../src/deploy/stack-resources.js";
import { standInDir, writeStandIn } from "../support/stand-in.js";

const stack = "hell-a1b2c3_ci_localhost";

/** Docker's `name=` filter matches substrings: the stand-in answers with near-misses of other stacks too. */
function docker() {
  const { dir, timeline } = standInDir();
  const bin = writeStandIn(dir, "docker", timeline, {
    rules: [
      { when: "stack ls *", sh: `printf '%s\\n' ${stack} ${stack}x other` },
      { when: "service ls *", sh: 'echo "${stack}_app"' },
      { when: "ps -a *ccci.sandbox.stack=*", sh: `echo "${stack}_ccci-assert-0a1b2c3d"` },
      { when: "ps -a *", sh: 'echo "${stack}_app.1.xyz"' },
      { when: "volume ls *label=*", sh: 'echo "${stack}_data"' },
      {
        when: "volume ls *name=*",
        sh: 'printf "%s\\n" "${name_filter}data" "${name_filter}db" "other_${name_filter}data" "${name_filter%_}x_data"',
      },
      { when: "secret ls *name=*", sh: 'echo "${name_filter}api_key_v1"' },
    ],
  });
  return new DockerCli(bin);
}

describe("listStackResources", () => {
  it("finds the stack's resources by label and by name, and nothing of stacks with a similar name", async () => {
    const resources = await listStackResources(docker(), stack);
    expect(resources).toEqual({
      stacks: [stack],
      services: [`${stack}_app`],
      containers: [`${stack}_app.1.xyz`, `${stack}_ccci-assert-0a1b2c3d`],
      volumes: [`${stack}_data`, `${stack}_db`],
      secrets: [`${stack}_api_key_v1`],
      configs: [],
      networks: [],
    });
    expect(countResources(resources)).toBe(7);
    expect(describeResources(resources)).toBe(
      `stacks: ${stack}; services: ${stack}_app; containers: ${stack}_app.1.xyz, ${stack}_ccci-assert-0a1b2c3d; ` +
        `volumes: ${stack}_data, ${stack}_db; secrets: ${stack}_api_key_v1`,
    );
  });
});
