import { describe, expect, it } from "vitest";
import { loadSettings as loadDiskSettings } from "../../src/config.js";

describe("disk settings", () => {
  it("defaults to pruning below 15% free and refusing below 5%, checking every 10 minutes", () => {
    expect(loadDiskSettings({})).toMatchObject({
      CCCI_DISK_SOFT: { kind: "percent", percent: 15 },
      CCCI_DISK_HARD: { kind: "percent", percent: 5 },
      CCCI_DISK_CHECK_INTERVAL: 600,
    });
  });

  it("reads absolute sizes and a disabled interval", () => {
    const settings = loadDiskSettings({
      CCCI_DISK_SOFT: "10GB",
      CCCI_DISK_HARD: "2G",
      CCCI_DISK_CHECK_INTERVAL: "0",
    });
    expect(settings.CCCI_DISK_SOFT).toEqual({ kind: "bytes", bytes: 10 * 1024 ** 3 });
    expect(settings.CCCI_DISK_HARD).toEqual({ kind: "bytes", bytes: 2 * 1024 ** 3 });
    expect(settings.CCCI_DISK_CHECK_INTERVAL).toBe(0);
  });

  it("names the variable and the value it could not read", () => {
    expect(() => loadDiskSettings({ CCCI_DISK_HARD: "lots" })).toThrow(
      'CCCI_DISK_HARD: expected a size such as 10GB or 512MB, or a share such as 15% (got "lots")',
    );
  });
});
