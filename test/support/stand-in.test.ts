// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose and shell syntax, not templates
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { standInDir, writeStandIn } from "./stand-in.js";

describe("recording stand-in", () => {
  it("records argv verbatim, including spaces, quotes, dollars and braces", async () => {
    const { dir, timeline } = standInDir();
    const tool = writeStandIn(dir, "docker", timeline);
    const args = ["service", "ls", "--format", "{{.Name}} {{.Replicas}}", "it's $HOME", ""];
    await execa(tool, args);
    expect(timeline.calls()).toEqual([{ tool: "docker", args, cwd: expect.any(String), env: {} }]);
  });

  it("records selected env vars, telling unset from empty, and stdin only when asked", async () => {
    const { dir, timeline } = standInDir();
    const tool = writeStandIn(dir, "docker", timeline, {
      recordEnv: ["A", "B", "C"],
      stdinWhen: ["secret create *"],
    });
    await execa(tool, ["secret", "create", "x", "-"], {
      input: "s3cret",
      env: { A: "1", B: "" },
      extendEnv: false,
    });
    await execa(tool, ["ps"], { input: "not read" });
    const [create, ps] = timeline.calls();
    expect(create?.env).toEqual({ A: "1", B: "", C: undefined });
    expect(create?.stdin).toBe("s3cret");
    expect(ps?.stdin).toBeUndefined();
  });

  it("answers from the first matching rule, with the stack taken from the namespace filter", async () => {
    const { dir, timeline } = standInDir();
    const tool = writeStandIn(dir, "docker", timeline, {
      rules: [
        { when: "service ls *{{.Replicas}}", sh: 'echo "${stack}_app 1/1"' },
        { when: "network inspect *", sh: "echo 'no such network' >&2; exit 1" },
      ],
    });
    const ls = await execa(tool, [
      "service",
      "ls",
      "--filter",
      "label=com.docker.stack.namespace=s_x",
      "--format",
      "{{.Name}} {{.Replicas}}",
    ]);
    const inspect = await execa(tool, ["network", "inspect", "proxy"], { reject: false });
    const other = await execa(tool, ["stack", "rm", "s_x"]);
    expect(ls.stdout).toBe("s_x_app 1/1");
    expect([inspect.exitCode, inspect.stderr]).toEqual([1, "no such network"]);
    expect([other.exitCode, other.stdout]).toEqual([0, ""]);
    timeline.mark("after");
    expect(timeline.lines().at(-1)).toBe("mark after");
  });
});
