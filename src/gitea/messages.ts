/** The replies only the Gitea trigger needs (the rest are GitHub's, in src/github/messages.ts). */
export const giteaMessages = {
  headMoved(commented: string, current: string): string {
    return `The pull request moved from \`${commented.slice(0, 7)}\` to \`${current.slice(0, 7)}\` after this command; nothing runs. Comment again to test the new head.`;
  },
};
