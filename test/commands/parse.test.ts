import { describe, expect, it } from "vitest";
import { parse, proseLines } from "../../src/commands/parse.js";

describe("parse", () => {
  it.each([
    ["a bare !testme asks for a cold run", "!testme", { kind: "run", mode: "cold" }],
    ["!testme --quick asks for a quick run", "!testme --quick", { kind: "run", mode: "quick" }],
    ["trailing spaces are ignored", "!testme --quick   ", { kind: "run", mode: "quick" }],
    ["CRLF line endings work", "please\r\n!testme\r\nthanks", { kind: "run", mode: "cold" }],
    ["the command may follow prose lines", "LGTM, let's see.\n\n!testme", { kind: "run", mode: "cold" }],
    ["up to three spaces of indentation are allowed", "   !testme", { kind: "run", mode: "cold" }],
    ["a trailing HTML comment is not an argument", "!testme <!-- why -->", { kind: "run", mode: "cold" }],
    [
      "the command after a closed HTML comment",
      "<!-- a\nb -->\n!testme --quick",
      { kind: "run", mode: "quick" },
    ],
    [
      "an HTML comment opener inside a code fence opens nothing",
      "```\n<!--\n```\n!testme",
      { kind: "run", mode: "cold" },
    ],
    [
      "a fence inside an HTML comment opens nothing",
      "<!--\n```\n-->\n!testme",
      { kind: "run", mode: "cold" },
    ],
  ])("%s", (_name, body, expected) => {
    expect(parse(body)).toEqual(expected);
  });

  it.each([
    ["a misspelt flag", "!testme --quik", /unknown argument "--quik"/],
    ["an unknown word", "!testme foo", /unknown argument "foo"/],
    ["a word glued to the command", "!testmefoo", /unknown command "!testmefoo"/],
    ["--quick plus something else", "!testme --quick now", /unknown argument "now"/],
    ["--quick twice", "!testme --quick --quick", /more than once/],
  ])("%s gets a help reply", (_name, body, reason) => {
    const command = parse(body);
    expect(command?.kind).toBe("help");
    expect(command?.kind === "help" && command.reason).toMatch(reason);
  });

  it.each([
    ["an ordinary comment", "You are totally right! I'll get this fixed right away."],
    ["the command mid-line", "please run !testme"],
    ["the command inside a fenced block", "```\n!testme\n```"],
    ["the command inside a tilde fence", "~~~sh\n!testme --quick\n~~~"],
    ["the command inside an unclosed fence", "```\n!testme"],
    ["the command in a block quote", "> !testme"],
    ["the command in an indented quote", "  > !testme --quick"],
    ["the command in an indented code block", "    !testme"],
    ["a different case", "!TESTME"],
    ["an empty comment", ""],
    ["the command inside an HTML comment", "<!-- !testme -->"],
    ["the command on its own line inside a multi-line HTML comment", "<!--\n!testme\n-->"],
    ["the command inside an unclosed HTML comment", "text <!--\n!testme --quick"],
    ["the command after an HTML comment on one line", "note <!-- x --> !testme"],
  ])("%s is not a command", (_name, body) => {
    expect(parse(body)).toBeNull();
  });

  it("a fence closes only with the same character and at least the same length", () => {
    expect(parse("````\n```\n!testme\n````")).toBeNull();
    expect(parse("```\n~~~\n!testme\n```\n!testme --quick")).toEqual({ kind: "run", mode: "quick" });
  });

  it("the first command line decides", () => {
    expect(parse("!testme --quick\n!testme")).toEqual({ kind: "run", mode: "quick" });
    expect(parse("!testme nope\n!testme")).toMatchObject({ kind: "help" });
  });

  it("a 65,536-character comment is parsed quickly without a command", () => {
    const body = `${"a".repeat(65_000)}\n${"!".repeat(536 - 1)}`;
    expect(body.length).toBe(65_536);
    const started = performance.now();
    expect(parse(body)).toBeNull();
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("a 65,536-character comment ending with the command still runs", () => {
    const body = `${"x".repeat(65_536 - "\n!testme".length)}\n!testme`;
    expect(body.length).toBe(65_536);
    expect(parse(body)).toEqual({ kind: "run", mode: "cold" });
  });

  it("help reasons are clipped so a huge argument cannot bloat the reply", () => {
    const command = parse(`!testme ${"z".repeat(10_000)}`);
    expect(command?.kind === "help" && command.reason.length).toBeLessThan(80);
  });
});

describe("proseLines", () => {
  it("drops fenced blocks and quotes but keeps the rest", () => {
    expect(proseLines("a\n```\nb\n```\n> c\nd")).toEqual(["a", "d"]);
  });
});
