import { validCommands } from "../commands/parse.js";

/** The texts ccci replies with. Short, and each says what to do next. */
export const messages = {
  help(reason: string): string {
    const list = validCommands.map((c) => `- \`${c.command}\`: ${c.effect}`).join("\n");
    return `ccci did not understand that (${reason}); nothing runs. Valid commands, at the start of a line:\n\n${list}`;
  },
  refused(user: string): string {
    return `@${user} only collaborators with write access to this repository can start ccci runs; nothing runs.`;
  },
  permissionUnknown(user: string): string {
    return `@${user} ccci could not check your permission on this repository (GitHub's API failed); nothing runs. Try the command again in a minute.`;
  },
  merged(user: string, runId: string): string {
    return `@${user} asked for the same run (same head, same mode) while it was queued or running: merged into run ${runId}.`;
  },
  headRepoDeleted(): string {
    return "The head repository of this pull request was deleted, so ccci cannot fetch the recipe; nothing runs.";
  },
  headMoved(): string {
    return (
      "The pull request's head repository was pushed to after this command was posted, so the commit " +
      "that would be tested may not be the one you read; nothing runs. Check the new commits and comment " +
      "`!testme` again."
    );
  },
  closed(): string {
    return "This pull request is closed; nothing runs.";
  },
  invalidRecipe(detail: string): string {
    return `ccci cannot test this repository as a recipe: ${detail}; nothing runs.`;
  },
};
