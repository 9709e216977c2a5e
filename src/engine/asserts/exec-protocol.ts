/**
 * The wire format between `ccci-exec` (test/images/assert/ccci-exec.c) and ccci's exec broker.
 * Request: `ccci-exec/1\n`, the argument count (4 bytes, big-endian), then each argument as its length
 * (4 bytes) and its bytes; the first argument is the service, the rest the command. Reply: frames of one
 * type byte (`1` stdout, `2` stderr, `x` exit code as text, `E` a refusal), a 4-byte length, the payload.
 */
export const EXEC_MAGIC = "ccci-exec/1\n";
/** A request larger than this is refused unread: an argument list, not a payload channel. */
export const MAX_REQUEST_BYTES = 64 * 1024;
export const MAX_ARGUMENTS = 256;

export type ParsedRequest = { ok: true; service: string; command: string[] } | { ok: false; problem: string };

export function parseExecRequest(data: Buffer): ParsedRequest {
  if (data.length > MAX_REQUEST_BYTES)
    return { ok: false, problem: `the request exceeds ${MAX_REQUEST_BYTES / 1024} KiB of arguments` };
  if (data.subarray(0, EXEC_MAGIC.length).toString("latin1") !== EXEC_MAGIC || data.length < 16)
    return { ok: false, problem: "not a ccci-exec request" };
  const count = data.readUInt32BE(EXEC_MAGIC.length);
  if (count > MAX_ARGUMENTS) return { ok: false, problem: `more than ${MAX_ARGUMENTS} arguments` };
  const args: string[] = [];
  let at = EXEC_MAGIC.length + 4;
  for (let i = 0; i < count; i++) {
    if (at + 4 > data.length) return { ok: false, problem: "a truncated request" };
    const length = data.readUInt32BE(at);
    at += 4;
    if (at + length > data.length) return { ok: false, problem: "a truncated request" };
    args.push(data.subarray(at, at + length).toString("utf8"));
    at += length;
  }
  const [service, ...command] = args;
  if (!service || command.length === 0)
    return { ok: false, problem: "usage: ccci-exec <service> -- <command> [args…]" };
  return { ok: true, service, command };
}

/** Encodes a request as ccci-exec does (for tests and for ccci's own callers). */
export function encodeExecRequest(service: string, command: string[]): Buffer {
  const parts = [Buffer.from(EXEC_MAGIC, "latin1"), u32(1 + command.length)];
  for (const arg of [service, ...command]) parts.push(u32(Buffer.byteLength(arg)), Buffer.from(arg));
  return Buffer.concat(parts);
}

export type FrameType = "1" | "2" | "x" | "E";

export function frame(type: FrameType, payload: string | Buffer): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from(type, "latin1"), u32(body.length), body]);
}

/** Splits a whole reply into its frames (for tests). */
export function parseFrames(data: Buffer): { type: FrameType; payload: string }[] {
  const frames: { type: FrameType; payload: string }[] = [];
  for (let at = 0; at + 5 <= data.length; ) {
    const length = data.readUInt32BE(at + 1);
    frames.push({
      type: data.toString("latin1", at, at + 1) as FrameType,
      payload: data.toString("utf8", at + 5, at + 5 + length),
    });
    at += 5 + length;
  }
  return frames;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
