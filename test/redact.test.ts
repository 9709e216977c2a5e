import { describe, expect, it } from "vitest";
import { Redactor } from "../src/redact.js";

describe("Redactor", () => {
  it.each([
    [
      "masks every occurrence of a secret",
      ["s3cr3t-value"],
      "a s3cr3t-value b s3cr3t-value",
      "a [redacted] b [redacted]",
    ],
    ["tracks the trimmed value", ["  padded-secret\n"], "x=padded-secret", "x=[redacted]"],
    ["ignores values shorter than 4 characters", ["abc"], "abc abcd", "abc abcd"],
    [
      "masks a secret containing another one whole",
      ["abcd", "abcdefgh"],
      "abcdefgh abcd",
      "[redacted] [redacted]",
    ],
    ["masks secrets with regex characters literally", ["a.b*c+d"], "a.b*c+d axbbc", "[redacted] axbbc"],
    ["leaves text without secrets alone", [], "nothing to hide", "nothing to hide"],
  ])("%s", (_what, secrets, text, expected) => {
    const redactor = new Redactor();
    for (const secret of secrets) redactor.add(secret);
    expect(redactor.redact(text)).toBe(expected);
  });
});
