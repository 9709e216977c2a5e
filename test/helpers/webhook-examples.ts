import { createRequire } from "node:module";

/**
 * Real webhook payloads from `@octokit/webhooks-examples`, adapted only where a field must change
 * (the published issue_comment examples are on an issue, not a pull request, for instance).
 * Every helper returns a fresh deep copy.
 */
// biome-ignore lint/suspicious/noExplicitAny: published payloads are untyped JSON that tests adapt field by field
export type Payload = Record<string, any>;
type ExampleSet = { name: string; examples: Payload[] }[];

const examples = createRequire(import.meta.url)(
  "@octokit/webhooks-examples/api.github.com/index.json",
) as ExampleSet;

export function example(name: string, action: string, nth = 0): Payload {
  const found = examples.find((set) => set.name === name)?.examples.filter((e) => e.action === action)[nth];
  if (!found) throw new Error(`no example ${name}.${action} #${nth}`);
  return structuredClone(found);
}

/** The repository, pull request and head commit every example below shares. */
export const EXAMPLE = {
  owner: "Codertocat",
  repo: "Hello-World",
  pullNumber: 2,
  headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
  cloneUrl: "https://github.com/Codertocat/Hello-World.git",
  installationId: 1,
} as const;

/** An `issue_comment.created` on pull request #2 by a user. */
export function commentOnPullRequest(body: string): Payload {
  // The example that carries an installation (id 1), as every delivery to an app does.
  const payload = example("issue_comment", "created", 3);
  payload.issue.number = EXAMPLE.pullNumber;
  payload.issue.pull_request = {
    url: `https://api.github.com/repos/Codertocat/Hello-World/pulls/${EXAMPLE.pullNumber}`,
    html_url: `https://github.com/Codertocat/Hello-World/pull/${EXAMPLE.pullNumber}`,
    diff_url: `https://github.com/Codertocat/Hello-World/pull/${EXAMPLE.pullNumber}.diff`,
    patch_url: `https://github.com/Codertocat/Hello-World/pull/${EXAMPLE.pullNumber}.patch`,
  };
  payload.comment.body = body;
  // The published comment predates the published pull request's last push (15:20:32): a command is
  // posted after the push it asks to test, so it is stamped a minute later.
  payload.comment.created_at = "2019-05-15T15:21:32Z";
  return payload;
}

/** The `pull_request` object of a real payload: what `GET /repos/{o}/{r}/pulls/{n}` answers. */
export function pullRequestObject(): Payload {
  return example("pull_request", "synchronize").pull_request;
}

export function pullRequestEvent(
  action: "synchronize" | "closed",
  headSha: string = EXAMPLE.headSha,
): Payload {
  const payload = example("pull_request", action);
  payload.pull_request.head.sha = headSha;
  return payload;
}

/** `check_run.rerequested` for one of ccci's check runs on pull request #2. */
export function checkRunRerequested(externalId: string): Payload {
  const payload = example("check_run", "rerequested");
  payload.repository = example("issue_comment", "created", 3).repository;
  payload.check_run.external_id = externalId;
  payload.check_run.head_sha = EXAMPLE.headSha;
  payload.check_run.pull_requests = [{ number: EXAMPLE.pullNumber, head: { sha: EXAMPLE.headSha } }];
  return payload;
}

/**
 * `check_suite.rerequested` for the head of pull request #2 (installation 957387, as published). The
 * published sender is a bot; a person presses re-run, so the sender becomes the commenter of the examples.
 */
export function checkSuiteRerequested(): Payload {
  const payload = example("check_suite", "rerequested");
  payload.sender = example("issue_comment", "created", 3).sender;
  return payload;
}
