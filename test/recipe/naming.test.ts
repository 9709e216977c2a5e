import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import {
  checkNameLimits,
  coldDomain,
  type DerivedName,
  stackName,
  validateRecipeName,
  versionedName,
  warmDomain,
} from "../../src/recipe/naming.js";

function thrown(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error("expected a UserError, nothing was thrown");
}

describe("validateRecipeName", () => {
  it.each([
    ["a plain name", "hello"],
    ["a name with a hyphen", "custom-html"],
    ["a single letter", "a"],
    ["digits", "n8n"],
    ["63 characters, the DNS label limit", "a".repeat(63)],
  ])("accepts %s", (_what, name) => {
    expect(validateRecipeName(name)).toBe(name);
  });

  it.each([
    ["a path escape", "../x"],
    ["a space", "my recipe"],
    ["uppercase", "Hello"],
    ["64 characters", "a".repeat(64)],
    ["a leading hyphen", "-x"],
    ["a trailing hyphen", "x-"],
    ["an underscore", "a_b"],
    ["a dot", "a.b"],
    ["the empty string", ""],
  ])("refuses %s with RECIPE_NAME_INVALID quoting the name", (_what, name) => {
    const error = thrown(() => validateRecipeName(name));
    expect(error.code).toBe("RECIPE_NAME_INVALID");
    expect(error.message).toContain(JSON.stringify(name));
  });
});

describe("coldDomain", () => {
  it.each([
    ["the first four letters of the recipe", "custom-html", "cust-a1b2c3.ci.localhost"],
    ["a recipe shorter than four letters whole", "a", "a-a1b2c3.ci.localhost"],
    ["a prefix ending in a hyphen without it", "abc-def", "abc-a1b2c3.ci.localhost"],
    ["a prefix ending in two hyphens without them", "ab--cd", "ab-a1b2c3.ci.localhost"],
    ["wrm for a recipe starting with warm (warm- names canonicals)", "warmup", "wrm-a1b2c3.ci.localhost"],
  ])("uses %s", (_what, recipe, expected) => {
    expect(coldDomain(recipe, "ci.localhost", "a1b2c3")).toBe(expected);
  });

  it("has the shape <recipe[:4]>-<6hex>.<base> and differs between runs", () => {
    const domains = Array.from({ length: 20 }, () => coldDomain("hello", "ci.example.org"));
    for (const domain of domains) expect(domain).toMatch(/^hell-[0-9a-f]{6}\.ci\.example\.org$/);
    expect(new Set(domains).size).toBeGreaterThan(15);
  });
});

describe("derived names", () => {
  it.each([
    ["a cold domain", "hell-a1b2c3.ci.localhost", "hell-a1b2c3_ci_localhost"],
    ["a domain without dots", "localhost", "localhost"],
  ])("stackName of %s turns dots into underscores", (_what, domain, stack) => {
    expect(stackName(domain)).toBe(stack);
  });

  it("warmDomain is warm-<recipe>.<base>", () => {
    expect(warmDomain("custom-html", "ci.localhost")).toBe("warm-custom-html.ci.localhost");
  });

  it("versionedName follows abra: <stack>_<name>_<version>", () => {
    expect(versionedName("hell-a1b2c3_ci_localhost", "api_key", "v1")).toBe(
      "hell-a1b2c3_ci_localhost_api_key_v1",
    );
  });
});

describe("checkNameLimits", () => {
  const named = (kind: DerivedName["kind"], length: number): DerivedName => ({
    kind,
    name: "x".repeat(length),
  });

  it.each([
    ["a 64-character secret", named("secret", 64)],
    ["a 64-character config", named("config", 64)],
    ["a 64-character volume", named("volume", 64)],
    ["a 63-character service", named("service", 63)],
  ])("accepts %s", (_what, name) => {
    expect(() => checkNameLimits([name])).not.toThrow();
  });

  it.each([
    ["a 65-character secret", named("secret", 65)],
    ["a 65-character config", named("config", 65)],
    ["a 65-character volume", named("volume", 65)],
    ["a 64-character service", named("service", 64)],
  ])("refuses %s with NAME_TOO_LONG naming it and its length", (_what, name) => {
    const error = thrown(() => checkNameLimits([name]));
    expect(error.code).toBe("NAME_TOO_LONG");
    expect(error.message).toContain(`${name.kind} ${name.name} (${name.name.length} chars)`);
  });

  it("names every offending object and none of the fitting ones", () => {
    const secret = { kind: "secret" as const, name: `s${"e".repeat(64)}` };
    const service = { kind: "service" as const, name: `v${"e".repeat(63)}` };
    const fits = { kind: "volume" as const, name: "fits_data" };
    const error = thrown(() => checkNameLimits([secret, fits, service]));
    expect(error.message).toContain(`secret ${secret.name} (65 chars)`);
    expect(error.message).toContain(`service ${service.name} (64 chars)`);
    expect(error.message).not.toContain("fits_data");
  });

  it("accepts an empty list", () => {
    expect(() => checkNameLimits([])).not.toThrow();
  });
});
