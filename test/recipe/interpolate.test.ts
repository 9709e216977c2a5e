// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose and shell syntax, not templates
import { describe, expect, it } from "vitest";
import { interpolate } from "../../src/recipe/interpolate.js";

const env = { SET: "value", EMPTY: "", STACK_NAME: "hell-a1b2c3_ci_localhost" };

describe("interpolate", () => {
  it.each([
    ["$VAR", "x=$SET.", "x=value."],
    ["${VAR}", "x=${SET}y", "x=valuey"],
    ["an unset $VAR as empty", "x=$UNSET.", "x=."],
    ["${VAR:-d} with VAR set", "${SET:-d}", "value"],
    ["${VAR:-d} with VAR empty", "${EMPTY:-d}", "d"],
    ["${VAR:-d} with VAR unset", "${UNSET:-d}", "d"],
    ["${VAR-d} with VAR empty (empty stays)", "${EMPTY-d}", ""],
    ["${VAR-d} with VAR unset", "${UNSET-d}", "d"],
    ["${VAR?msg} with VAR empty (set is enough)", "${EMPTY?msg}", ""],
    ["$$ as a literal dollar", "cost: $$5 and $${SET}", "cost: $5 and ${SET}"],
    ["a default with spaces", "${UNSET:-two words}", "two words"],
    [
      "abra's timeout label",
      "coop-cloud.${STACK_NAME}.timeout=${TIMEOUT:-300}",
      "coop-cloud.hell-a1b2c3_ci_localhost.timeout=300",
    ],
    // docker/cli's compose template and compose-go, the cases of compose's interpolation docs
    ["${VAR:+alt} with VAR set", "${SET:+alt}", "alt"],
    ["${VAR:+alt} with VAR empty", "${EMPTY:+alt}", ""],
    ["${VAR:+alt} with VAR unset", "${UNSET:+alt}", ""],
    ["${VAR+alt} with VAR empty (set is enough)", "${EMPTY+alt}", "alt"],
    ["${VAR+alt} with VAR unset", "${UNSET+alt}", ""],
    ["a default holding a variable", "${UNSET:-${SET}-x}", "value-x"],
    ["an alternative holding a variable", "${SET:+[${STACK_NAME}]}", "[hell-a1b2c3_ci_localhost]"],
    ["a default holding a default", "${UNSET:-${ALSO_UNSET:-deep}}", "deep"],
    ["a ${VAR:?err} that is set", "${SET:?not used}", "value"],
    ["lowercase names", "${lower:-d} $lower", "d "],
    ["a $ at the end of a $$", "$$", "$"],
    ["text without any $", "plain text {braces}", "plain text {braces}"],
  ])("resolves %s", (_what, text, expected) => {
    expect(interpolate(text, env)).toBe(expected);
  });

  it.each([
    ["${VAR:?msg} with VAR unset", "${UNSET:?set UNSET please}", /UNSET.*set UNSET please/],
    ["${VAR:?msg} with VAR empty", "${EMPTY:?must not be empty}", /EMPTY.*must not be empty/],
    ["${VAR?msg} with VAR unset", "${UNSET?needed}", /UNSET.*needed/],
    ["a lone $", "a $ b", /lone \$.*write \$\$/],
    ["a $ before a digit", "cost $1", /lone \$/],
    ["an unterminated ${", "${SET", /unterminated/],
    ["an unknown operator", "${SET/x/y}", /invalid interpolation format: \$\{SET\/x\/y\}/],
    ["an empty ${}", "${}", /invalid interpolation format/],
    ["a required variable inside a default", "${UNSET:-${NEEDED:?say why}}", /NEEDED.*say why/],
  ])("throws for %s, naming the variable and the message", (_what, text, message) => {
    expect(() => interpolate(text, env)).toThrow(message);
  });
});
