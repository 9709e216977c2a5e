import { describe, expect, it } from "vitest";
import { findRoute, validateRequest } from "./openapi-validator.js";

const sha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const base = "https://api.github.com";

describe("validateRequest accepts requests GitHub documents", () => {
  it.each([
    [
      "create a check run",
      {
        method: "POST",
        url: `${base}/repos/o/r/check-runs`,
        body: {
          name: "ccci / cold",
          head_sha: sha,
          status: "queued",
          external_id: "r1:cold",
          output: { title: "t", summary: "s" },
        },
      },
    ],
    [
      "complete a check run",
      {
        method: "PATCH",
        url: `${base}/repos/o/r/check-runs/4`,
        body: { status: "completed", conclusion: "neutral", completed_at: "2024-01-01T00:00:00.000Z" },
      },
    ],
    [
      "set a commit status",
      {
        method: "POST",
        url: `${base}/repos/o/r/statuses/${sha}`,
        body: { state: "success", context: "ccci/cold" },
      },
    ],
    [
      "react to a comment",
      { method: "POST", url: `${base}/repos/o/r/issues/comments/1/reactions`, body: { content: "eyes" } },
    ],
    ["read a permission", { method: "GET", url: `${base}/repos/o/r/collaborators/octocat/permission` }],
    ["list comments with paging", { method: "GET", url: `${base}/repos/o/r/issues/2/comments?per_page=100` }],
  ])("%s", (_name, request) => {
    expect(validateRequest(request)).toEqual([]);
  });

  it("a GHE path under /api/v3 when told the base path", () => {
    const request = { method: "GET", url: "http://127.0.0.1:1/api/v3/repos/o/r/pulls/2" };
    expect(validateRequest(request, "/api/v3")).toEqual([]);
    expect(validateRequest(request)).not.toEqual([]);
  });
});

describe("validateRequest rejects requests GitHub would not take", () => {
  it.each([
    ["an unknown path", { method: "GET", url: `${base}/repos/o/r/check-runz` }, /no such operation/],
    ["a wrong method", { method: "DELETE", url: `${base}/repos/o/r/check-runs` }, /no such operation/],
    [
      "a missing required field",
      { method: "POST", url: `${base}/repos/o/r/check-runs`, body: { name: "x" } },
      /required field "head_sha" missing/,
    ],
    [
      "a bad enum value",
      { method: "POST", url: `${base}/repos/o/r/statuses/${sha}`, body: { state: "passed" } },
      /"passed" is not one of/,
    ],
    [
      "a bad nested enum",
      { method: "POST", url: `${base}/repos/o/r/issues/comments/1/reactions`, body: { content: "eye" } },
      /not one of/,
    ],
    [
      "a misspelt field",
      { method: "PATCH", url: `${base}/repos/o/r/check-runs/4`, body: { conclution: "success" } },
      /unknown field "conclution"/,
    ],
    [
      "completed without a conclusion",
      { method: "PATCH", url: `${base}/repos/o/r/check-runs/4`, body: { status: "completed" } },
      /none of the allowed shapes/,
    ],
    [
      "a summary over 65,535 characters",
      {
        method: "POST",
        url: `${base}/repos/o/r/check-runs`,
        body: { name: "x", head_sha: sha, output: { title: "t", summary: "s".repeat(65_536) } },
      },
      /longer than 65535/,
    ],
    [
      "a wrong type",
      { method: "POST", url: `${base}/repos/o/r/issues/2/comments`, body: { body: 42 } },
      /expected string/,
    ],
    [
      "a missing body",
      { method: "POST", url: `${base}/repos/o/r/issues/2/comments` },
      /request body missing/,
    ],
    [
      "a non-numeric path id",
      { method: "PATCH", url: `${base}/repos/o/r/check-runs/undefined`, body: { status: "queued" } },
      /expected an integer/,
    ],
    [
      "an unknown query parameter",
      { method: "GET", url: `${base}/repos/o/r/issues/2/comments?perpage=100` },
      /unknown query parameter "perpage"/,
    ],
    [
      "a bad timestamp",
      { method: "PATCH", url: `${base}/repos/o/r/check-runs/4`, body: { started_at: "yesterday" } },
      /not a date-time/,
    ],
  ])("%s", (_name, request, problem) => {
    const problems = validateRequest(request);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(problem);
  });
});

describe("findRoute", () => {
  it("prefers the most literal template", () => {
    expect(findRoute("PATCH", "/repos/o/r/issues/comments/5")?.template).toBe(
      "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    );
  });
});
