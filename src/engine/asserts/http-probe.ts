import type { DockerCli } from "../../deploy/docker.js";

export interface ProbeResult {
  status?: number;
  /** How the probe reached the app: `exec:wget`, `exec:curl` or `probe-container`. */
  via: string;
  error?: string;
}

export interface ProbeTarget {
  stack: string;
  service: string;
  port: number;
  domain: string;
  container?: string;
}

const firstStatus = (text: string) => {
  const match = /HTTP\/[\d.]+\s+(\d{3})/.exec(text);
  return match ? Number(match[1]) : undefined;
};
/** busybox wget printing the response headers (the status line) to stderr and discarding the body. */
const wgetStatus = (domain: string, url: string) => [
  "wget",
  "-S",
  "-q",
  "-O",
  "/dev/null",
  "--header",
  `Host: ${domain}`,
  url,
];
const missingTool = (stderr: string, exitCode: number) =>
  exitCode === 126 ||
  exitCode === 127 ||
  /executable file not found|not found in \$PATH|no such file/i.test(stderr);

/**
 * Asks the app for `/` from inside the stack, never from the host to a container address: first with
 * the app container's own wget or curl on 127.0.0.1, else from a probe container on the `proxy` network
 * (which real recipes join) by service name. The Host header carries the app's domain, as Traefik would.
 */
export async function probeHttp(
  docker: DockerCli,
  target: ProbeTarget,
  probeImage: string,
): Promise<ProbeResult> {
  const url = `http://127.0.0.1:${target.port}/`;
  const limit = { timeoutMs: 20_000 };
  if (target.container) {
    // No `-T`: Debian's static busybox wget crashes with it; the exec itself is time-limited instead.
    const wget = await docker.run(["exec", target.container, ...wgetStatus(target.domain, url)], limit);
    const viaWget = firstStatus(wget.stderr);
    if (viaWget !== undefined) return { status: viaWget, via: "exec:wget" };
    if (!missingTool(wget.stderr, wget.exitCode))
      return { via: "exec:wget", error: wget.stderr.trim().split("\n").pop() };
    const curl = await docker.run(
      [
        "exec",
        target.container,
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "10",
        "-H",
        `Host: ${target.domain}`,
        url,
      ],
      limit,
    );
    const code = Number.parseInt(curl.stdout.trim(), 10);
    if (code > 0) return { status: code, via: "exec:curl" };
    if (!missingTool(curl.stderr, curl.exitCode))
      return { via: "exec:curl", error: curl.stderr.trim() || `curl exit ${curl.exitCode}` };
  }
  const byName = `http://${target.stack}_${target.service}:${target.port}/`;
  const probe = await docker.run(
    ["run", "--rm", "--network", "proxy", probeImage, ...wgetStatus(target.domain, byName)],
    { timeoutMs: 60_000 },
  );
  const status = firstStatus(probe.stderr);
  return status !== undefined
    ? { status, via: "probe-container" }
    : { via: "probe-container", error: probe.stderr.trim().split("\n").pop() };
}

/** A real answer: anything but a 404 (a proxy's "no such route") or a server error. */
export function isRealAnswer(status: number | undefined): boolean {
  return status !== undefined && status !== 404 && status < 500;
}
