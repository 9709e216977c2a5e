/*
 * ccci-exec: the one way a custom assert reaches into its own run's containers.
 *   ccci-exec <service> -- <command> [args...]
 * It sends the argument array over the unix socket ccci mounted at $CCCI_EXEC_SOCKET (default
 * /run/ccci/exec.sock) and relays what ccci answers: stdout and stderr frames, then the exit code.
 * ccci decides whether <service> is a service of this run's stack; this program checks nothing itself.
 *
 * Request: "ccci-exec/1\n", the argument count (service + command words) as 4 big-endian bytes, then each
 * argument as its length (4 big-endian bytes) and its bytes.
 * Reply frames: 1 byte type ('1' stdout, '2' stderr, 'x' exit code as decimal text, 'E' refusal text),
 * 4 big-endian length bytes, payload.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) { if (errno == EINTR) continue; return -1; }
    p += n; len -= (size_t)n;
  }
  return 0;
}

static int read_all(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n < 0) { if (errno == EINTR) continue; return -1; }
    if (n == 0) return -1;
    p += n; len -= (size_t)n;
  }
  return 0;
}

static int put_u32(int fd, uint32_t v) {
  unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };
  return write_all(fd, b, 4);
}

static int usage(void) {
  fprintf(stderr, "usage: ccci-exec <service> -- <command> [args...]\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[2], "--") != 0) return usage();
  const char *path = getenv("CCCI_EXEC_SOCKET");
  if (!path || !*path) path = "/run/ccci/exec.sock";
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof addr.sun_path) { fprintf(stderr, "ccci-exec: socket path too long\n"); return 125; }
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    fprintf(stderr, "ccci-exec: cannot reach ccci at %s: %s\n", path, strerror(errno));
    return 125;
  }
  /* argv[1] is the service, argv[3..] the command. */
  int count = argc - 2;
  if (write_all(fd, "ccci-exec/1\n", 12) < 0 || put_u32(fd, (uint32_t)count) < 0) goto lost;
  for (int i = 1; i < argc; i++) {
    if (i == 2) continue;
    size_t len = strlen(argv[i]);
    if (put_u32(fd, (uint32_t)len) < 0 || write_all(fd, argv[i], len) < 0) goto lost;
  }
  shutdown(fd, SHUT_WR);
  char buf[65536];
  for (;;) {
    unsigned char head[5];
    if (read_all(fd, head, 5) < 0) goto lost;
    uint32_t len = (uint32_t)head[1] << 24 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 8 | head[4];
    char type = (char)head[0];
    if (type == 'x' || type == 'E') {
      if (len >= sizeof buf || read_all(fd, buf, len) < 0) goto lost;
      buf[len] = 0;
      if (type == 'x') return atoi(buf);
      fprintf(stderr, "ccci-exec: %s\n", buf);
      return 126;
    }
    int out = type == '1' ? 1 : 2;
    while (len > 0) {
      size_t chunk = len < sizeof buf ? len : sizeof buf;
      if (read_all(fd, buf, chunk) < 0) goto lost;
      write_all(out, buf, chunk);
      len -= (uint32_t)chunk;
    }
  }
lost:
  fprintf(stderr, "ccci-exec: lost the connection to ccci\n");
  return 125;
}
