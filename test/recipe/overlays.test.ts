import { describe, expect, it } from "vitest";
import { readRecipeMetadata } from "../../src/recipe/metadata.js";
import { MAX_OVERLAYS, parseOverlays } from "../../src/recipe/overlays.js";
import { writeRecipe } from "../support/recipe-dir.js";

describe("overlays in ccci.yml", () => {
  it("reads each overlay's name, COMPOSE_FILE and env", () => {
    const dir = writeRecipe({
      "ccci.yml":
        'overlays:\n  - name: s3\n    compose_file: "$COMPOSE_FILE:compose.s3.yml"\n    env:\n      S3: "on"\n  - name: sso\n    compose_file: compose.yml:compose.sso.yml\n',
    });
    expect(readRecipeMetadata(dir).overlays).toEqual([
      { name: "s3", composeFile: "$COMPOSE_FILE:compose.s3.yml", env: { S3: "on" } },
      { name: "sso", composeFile: "compose.yml:compose.sso.yml", env: {} },
    ]);
  });

  const one = (i: number) => ({ name: `o${i}`, compose_file: "compose.yml" });
  it.each([
    [
      "more than the maximum of overlays",
      Array.from({ length: MAX_OVERLAYS + 1 }, (_, i) => one(i)),
      /overlays: at most 6 overlays/,
    ],
    ["two overlays of one name", [one(1), one(1)], /overlay names must be unique/],
    [
      "a name that is not a DNS-ish label",
      [{ name: "S3 Storage", compose_file: "x" }],
      /overlays\.0\.name: a name of 1-31/,
    ],
    ["a missing compose_file", [{ name: "s3" }], /overlays\.0\.compose_file/],
    ["an unknown key", [{ ...one(1), files: [] }], /overlays\.0: .*files/],
    ["an env name that is not one", [{ ...one(1), env: { "A-B": "x" } }], /overlays\.0\.env\.A-B: /],
    ["not a list", { s3: "compose.s3.yml" }, /overlays: /],
  ])("refuses %s with RECIPE_INVALID", (_what, raw, message) => {
    expect(() => parseOverlays(raw)).toThrow(message);
  });

  it("accepts the maximum number of overlays", () => {
    expect(parseOverlays(Array.from({ length: MAX_OVERLAYS }, (_, i) => one(i)))).toHaveLength(MAX_OVERLAYS);
  });
});
