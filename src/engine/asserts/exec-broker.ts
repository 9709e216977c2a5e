import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DockerCli } from "../../deploy/docker.js";
import type { Logger } from "../../log.js";
import { formatBytes } from "../../tail-buffer.js";
import { containerOf } from "./containers.js";
import { frame, MAX_REQUEST_BYTES, parseExecRequest } from "./exec-protocol.js";
import { serviceExecArgs } from "./sandbox-args.js";

export interface ExecBrokerOptions {
  docker: DockerCli;
  stack: string;
  /** Short compose names of the run's services: the only ones ccci-exec may reach. */
  services: string[];
  /** Deadline of the assert this broker serves: no exec outlives it. */
  deadline: number;
  maxOutputBytes: number;
  log: Logger;
}

/** At most this many `ccci-exec` calls of one assert run at the same time. */
export const MAX_CONCURRENT_EXECS = 4;

/**
 * The far end of `ccci-exec`: a unix socket, bind-mounted into one assert's sandbox, that runs a
 * command in a container of the run's own stack and nowhere else. The service must be one of the
 * run's compose services (short name or `<stack>_<name>`); a container id or name, another stack's
 * service or anything else is refused with a message naming why. Argument arrays only, output and time
 * bounded, and everything in flight is stopped when the assert ends.
 */
export class ExecBroker {
  private readonly stopAll = new AbortController();
  private inFlight = 0;
  /** One line per call, refused or run: what the assert asked for (shown when it fails). */
  readonly calls: string[] = [];

  private constructor(
    readonly socketPath: string,
    private readonly server: Server,
    /** Private to ccci (0700): the socket and the sandbox's env file live here. */
    readonly dir: string,
    private readonly options: ExecBrokerOptions,
  ) {}

  static async start(options: ExecBrokerOptions): Promise<ExecBroker> {
    // A private directory: host users cannot reach the socket; the sandbox gets the socket file itself.
    const dir = await mkdtemp(join(tmpdir(), "ccci-exec-"));
    const socketPath = join(dir, "exec.sock");
    // Half-open: ccci-exec shuts its side down after the request and then reads the reply.
    const server = createServer({ allowHalfOpen: true });
    const broker = new ExecBroker(socketPath, server, dir, options);
    server.on("connection", (socket) => broker.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, resolve);
    });
    // The sandbox runs as a non-root user.
    await chmod(socketPath, 0o666);
    return broker;
  }

  async close(): Promise<void> {
    this.stopAll.abort("the assert ended");
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }

  private accept(socket: Socket): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (refused) return;
      if (size > MAX_REQUEST_BYTES + 16) {
        refused = true;
        this.refuse(socket, `the request exceeds ${MAX_REQUEST_BYTES / 1024} KiB of arguments`);
        return;
      }
      chunks.push(chunk);
    });
    socket.on("end", () => {
      if (!refused) void this.serve(socket, Buffer.concat(chunks));
    });
  }

  private refuse(socket: Socket, problem: string): void {
    this.calls.push(`ccci-exec refused: ${problem}`);
    socket.end(frame("E", problem));
  }

  private async serve(socket: Socket, data: Buffer): Promise<void> {
    const request = parseExecRequest(data);
    if (!request.ok) return this.refuse(socket, request.problem);
    const service = this.serviceOf(request.service);
    if (!service)
      return this.refuse(
        socket,
        `"${request.service}" is not a service of this run's stack (its services: ${this.options.services.join(", ")}); ` +
          "ccci-exec reaches only the run's own services",
      );
    if (request.command[0]!.startsWith("-"))
      return this.refuse(socket, `the command must not start with "-" (got "${request.command[0]}")`);
    if (this.inFlight >= MAX_CONCURRENT_EXECS)
      return this.refuse(socket, `more than ${MAX_CONCURRENT_EXECS} ccci-exec calls at once`);
    this.inFlight += 1;
    try {
      await this.run(socket, service, request.command);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The short compose name for `name`, when it names one of the run's services. */
  private serviceOf(name: string): string | undefined {
    const { stack, services } = this.options;
    const short = name.startsWith(`${stack}_`) ? name.slice(stack.length + 1) : name;
    return services.includes(short) ? short : undefined;
  }

  private async run(socket: Socket, service: string, command: string[]): Promise<void> {
    const { docker, stack, deadline, maxOutputBytes } = this.options;
    const container = await containerOf(docker, stack, service);
    if (!container) return this.refuse(socket, `service ${service} has no running container`);
    this.calls.push(`ccci-exec ${service} -- ${command.join(" ")}`);
    const result = await docker.run(serviceExecArgs(container, command), {
      timeoutMs: Math.max(1, deadline - Date.now()),
      signal: this.stopAll.signal,
      maxOutputBytes,
      stripFinalNewline: false,
    });
    const notes: string[] = [];
    if (result.truncated)
      notes.push(`ccci-exec: output truncated to the last ${formatBytes(maxOutputBytes)}\n`);
    if (result.interrupted) notes.push(`ccci-exec: ${service}: stopped (the assert's time is up)\n`);
    socket.end(
      Buffer.concat([
        frame("1", result.stdout),
        frame("2", result.stderr + notes.join("")),
        frame("x", String(result.interrupted ? 124 : result.exitCode)),
      ]),
    );
  }
}
