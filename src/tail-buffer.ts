/**
 * Keeps the last `maxBytes` bytes written to it, so a flood of output costs bounded memory and the end
 * of it (where the error usually is) survives. `droppedBytes` says how much was thrown away.
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  droppedBytes = 0;

  constructor(readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.maxBytes && this.chunks.length > 0) {
      const excess = this.size - this.maxBytes;
      const first = this.chunks[0]!;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.droppedBytes += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.droppedBytes += excess;
      }
    }
  }

  get truncated(): boolean {
    return this.droppedBytes > 0;
  }

  /** The kept bytes as UTF-8; a character cut in half at the start is dropped. */
  text(): string {
    const text = Buffer.concat(this.chunks).toString("utf8");
    return this.truncated ? text.replace(/^\uFFFD+/, "") : text;
  }
}

/** `text` cut to its last `maxBytes` bytes (UTF-8), and whether anything was cut. */
export function tailBytes(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const buffer = new TailBuffer(maxBytes);
  buffer.push(Buffer.from(text, "utf8"));
  return { text: buffer.text(), truncated: buffer.truncated };
}

/** "64 KiB" for a byte count that is a whole number of KiB, else bytes. */
export function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
