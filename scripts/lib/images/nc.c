/* `nc` of the busybox image. Docker's busybox:1.37 has `nc -z` (connect, then close: the
 * translator's wait containers use `nc -z -w 2 HOST PORT`); Debian's busybox-static is
 * built without it. This handles `-z [-w SEC] HOST PORT` and hands anything else to
 * busybox's own nc. */
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>

static int reachable(const char *host, const char *port, int seconds) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
  if (getaddrinfo(host, port, &hints, &res) != 0) return 0;
  int ok = 0;
  for (ai = res; ai && !ok; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      ok = 1;
    } else if (errno == EINPROGRESS) {
      struct pollfd p = {.fd = fd, .events = POLLOUT};
      int err = 0;
      socklen_t len = sizeof err;
      if (poll(&p, 1, seconds * 1000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
        ok = 1;
    }
    close(fd);
  }
  freeaddrinfo(res);
  return ok;
}

int main(int argc, char **argv) {
  int scan = 0, seconds = 5, i;
  const char *host = NULL, *port = NULL;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-z") == 0) scan = 1;
    else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) seconds = atoi(argv[++i]);
    else if (strncmp(argv[i], "-w", 2) == 0 && argv[i][2]) seconds = atoi(argv[i] + 2);
    else if (!host) host = argv[i];
    else if (!port) port = argv[i];
  }
  if (!scan) {
    argv[0] = "nc";
    char **args = calloc(argc + 2, sizeof *args);
    args[0] = "busybox";
    for (i = 0; i < argc; i++) args[i + 1] = argv[i];
    execv("/bin/busybox", args);
    return 127;
  }
  if (!host || !port) return 2;
  return reachable(host, port, seconds > 0 ? seconds : 5) ? 0 : 1;
}
