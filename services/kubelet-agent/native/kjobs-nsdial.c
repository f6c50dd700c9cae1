/*
 * kjobs-nsdial: open one TCP connection from inside a network namespace and relay it over
 * stdin/stdout. The agent (Node cannot setns itself) uses it to reach pod IPs that live only in
 * the namespaces of the pod network: probes, port-forward.
 *
 *   kjobs-nsdial <netns path> <IPv4 address> <port> [timeout ms]
 *
 * Protocol on stderr, one line: "ok" once connected, else "error <ERRNO NAME> <message>" and exit
 * status 1 (2 for bad arguments or a namespace that cannot be entered). After "ok": stdin is
 * copied to the socket (stdin's end half-closes it) and the socket to stdout; the helper exits
 * when both directions are done or a write fails.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *errno_name(int e) {
  switch (e) {
    case ECONNREFUSED: return "ECONNREFUSED";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENETUNREACH: return "ENETUNREACH";
    case EINPROGRESS: return "ETIMEDOUT";
    case ENOENT: return "ENOENT";
    case EPERM: return "EPERM";
    default: return "EIO";
  }
}

static int fail(int status, int e, const char *what) {
  dprintf(2, "error %s %s: %s\n", errno_name(e), what, strerror(e));
  return status;
}

static int write_all(int fd, const char *b, ssize_t n) {
  while (n > 0) {
    ssize_t w = write(fd, b, (size_t)n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    b += w;
    n -= w;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    dprintf(2, "error EINVAL usage: kjobs-nsdial <netns path> <address> <port> [timeout ms]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int timeout = argc > 4 ? atoi(argv[4]) : 10000;
  int ns = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (ns < 0) return fail(2, errno, "open netns");
  if (setns(ns, CLONE_NEWNET) < 0) return fail(2, errno, "setns");
  close(ns);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)atoi(argv[3]));
  if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) {
    dprintf(2, "error EINVAL not an IPv4 address: %s\n", argv[2]);
    return 2;
  }
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) return fail(1, errno, "socket");
  if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
    if (errno != EINPROGRESS) return fail(1, errno, "connect");
    struct pollfd p = {s, POLLOUT, 0};
    int r = poll(&p, 1, timeout);
    if (r == 0) return fail(1, ETIMEDOUT, "connect");
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) return fail(1, err, "connect");
  }
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK);
  dprintf(2, "ok\n");
  char buf[65536];
  int in_open = 1, sock_open = 1;
  while (in_open || sock_open) {
    struct pollfd p[2] = {{in_open ? 0 : -1, POLLIN, 0}, {sock_open ? s : -1, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (in_open && p[0].revents) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        in_open = 0;
        shutdown(s, SHUT_WR);
      } else if (write_all(s, buf, n) < 0) {
        return 1;
      }
    }
    if (sock_open && p[1].revents) {
      ssize_t n = read(s, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        sock_open = 0;
        close(1);
        // The peer is gone for good: no use sending it more.
        if (n < 0) return 0;
      } else if (write_all(1, buf, n) < 0) {
        return 0;
      }
    }
  }
  return 0;
}
