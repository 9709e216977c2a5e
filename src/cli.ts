#!/usr/bin/env node
import { canonicalCommand } from "./cli/canonical-command.js";
import { closureCommand } from "./cli/closure-command.js";
import { configCommand } from "./cli/config-command.js";
import { diskCommand } from "./cli/disk-command.js";
import { reapCommand, warmKeycloakCommand } from "./cli/keycloak-commands.js";
import { recoverCommand } from "./cli/recover-command.js";
import { runCommand, runUsage } from "./cli/run-command.js";
import { sweepCommand } from "./cli/sweep-command.js";
import { describeError, isUserError } from "./errors.js";

const usage = `ccci - CI for Co-op Cloud recipes

commands:
  ccci run <recipe dir | git url> [--ref REF] [--driver swarm|abra] [--timeout S]   run a cold test
  ccci canonical list|seed <recipe>|rewarm <recipe>                             warm canonicals
  ccci config docs [--write FILE] | check [--bot]                               settings reference / check
  ccci closure [--fix] [--orphans] [--json]                                      resources left by finished runs
  ccci disk [--prune] [--json]                                                  free space, pruning
  ccci sweep [--limit N] [--canary DIR|URL] [--json]                            nightly cold sweep + canary
  ccci reap [--dry-run]                                                         delete orphan SSO realms
  ccci warm-keycloak reconcile [--local-script PATH] [--recipe URL]             warm Keycloak up and healthy
  ccci recover                                                                  tear down runs a crash left behind
  ccci help                                                                     this text

${runUsage}`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
  recover: recoverCommand,
  canonical: canonicalCommand,
  config: configCommand,
  closure: closureCommand,
  disk: diskCommand,
  reap: reapCommand,
  sweep: sweepCommand,
  "warm-keycloak": warmKeycloakCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`ccci: unknown command ${JSON.stringify(name)}\n\n${usage}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    console.error(`ccci: ${describeError(error)}`);
    return isUserError(error) ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
