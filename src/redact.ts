import { redactCcciSecrets } from "./ccci-secrets.js";

/**
 * Remembers the secret values a run generated or received and blanks them out of any text that leaves
 * the run (log excerpts, assert output, check-run text, comments). Values shorter than 4 characters are
 * not tracked: masking them would shred ordinary text and they are not secrets worth the name.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: string): void {
    const trimmed = value.trim();
    if (trimmed.length >= 4) this.secrets.add(trimmed);
  }

  /** The run's own secrets, then ccci's process-wide ones (src/ccci-secrets.ts). */
  redact(text: string): string {
    let out = redactCcciSecrets(text);
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join("[redacted]");
    }
    return out;
  }
}
