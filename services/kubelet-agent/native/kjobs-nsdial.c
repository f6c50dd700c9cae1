/*
 * kjobs-nsdial: TCP inside a network namespace for the agent (Node cannot setns itself).
 *
 *   kjobs-nsdial <netns path> <IPv4 address> <port> [timeout ms]
 *     Open one TCP connection from inside the namespace and relay it over stdin/stdout: probes
 *     and port-forward reach pod IPs that live only in the pod network's namespaces.
 *
 *   kjobs-nsdial --listen <netns path> <IPv4 address> <port> <unix socket path>
 *     Listen on address:port inside the namespace; relay each connection accepted there to a new
 *     connection to the unix socket (a path on the host's filesystem, so outside any network
 *     namespace): the pods' egress proxy, served by the agent. One process per connection; every
 *     one dies with its parent (PR_SET_PDEATHSIG), so an agent killed at any line leaves none.
 *
 * Protocol on stderr, one line: "ok" once connected (listening), else "error <ERRNO NAME>
 * <message>" and exit status 1 (2 for bad arguments or a namespace that cannot be entered).
 * A relay copies each side to the other; one side's end half-closes the other; it exits when
 * both directions are done or a write fails.
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
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

/* Copy in_fd to sock and sock to out_fd until both directions end (in_fd/out_fd may be one socket). */
static int relay(int in_fd, int out_fd, int s) {
  char buf[65536];
  int in_open = 1, sock_open = 1;
  while (in_open || sock_open) {
    struct pollfd p[2] = {{in_open ? in_fd : -1, POLLIN, 0}, {sock_open ? s : -1, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (in_open && p[0].revents) {
      ssize_t n = read(in_fd, buf, sizeof buf);
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
        // Half-close: a socket keeps its read side; a pipe (stdout) can only be closed.
        if (shutdown(out_fd, SHUT_WR) < 0) close(out_fd);
        // The peer is gone for good: no use sending it more.
        if (n < 0) return 0;
      } else if (write_all(out_fd, buf, n) < 0) {
        return 0;
      }
    }
  }
  return 0;
}

static int enter_netns(const char *path) {
  int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) return fail(2, errno, "open netns");
  if (setns(ns, CLONE_NEWNET) < 0) return fail(2, errno, "setns");
  close(ns);
  return 0;
}

static int parse_addr(struct sockaddr_in *sa, const char *addr, const char *port) {
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_port = htons((unsigned short)atoi(port));
  if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1) {
    dprintf(2, "error EINVAL not an IPv4 address: %s\n", addr);
    return 2;
  }
  return 0;
}

/* --listen: accept inside the namespace, relay each connection to the unix socket. */
static int listen_mode(int argc, char **argv) {
  if (argc < 6) {
    dprintf(2, "error EINVAL usage: kjobs-nsdial --listen <netns path> <address> <port> <unix socket path>\n");
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 1; /* the agent died before the line above */
  int r = enter_netns(argv[2]);
  if (r) return r;
  struct sockaddr_in sa;
  if ((r = parse_addr(&sa, argv[3], argv[4]))) return r;
  struct sockaddr_un un;
  memset(&un, 0, sizeof un);
  un.sun_family = AF_UNIX;
  if (strlen(argv[5]) >= sizeof un.sun_path) {
    dprintf(2, "error EINVAL unix socket path too long: %s\n", argv[5]);
    return 2;
  }
  strcpy(un.sun_path, argv[5]);
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (l < 0) return fail(1, errno, "socket");
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0) return fail(1, errno, "bind");
  if (listen(l, 128) < 0) return fail(1, errno, "listen");
  signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
  dprintf(2, "ok\n");
  for (;;) {
    int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) continue;
      return fail(1, errno, "accept");
    }
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() == 1) _exit(1);
      close(l);
      int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (u < 0 || connect(u, (struct sockaddr *)&un, sizeof un) < 0) _exit(1);
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      _exit(relay(c, c, u));
    }
    close(c);
  }
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc > 1 && strcmp(argv[1], "--listen") == 0) return listen_mode(argc, argv);
  if (argc < 4) {
    dprintf(2, "error EINVAL usage: kjobs-nsdial <netns path> <address> <port> [timeout ms]\n");
    return 2;
  }
  int timeout = argc > 4 ? atoi(argv[4]) : 10000;
  int r = enter_netns(argv[1]);
  if (r) return r;
  struct sockaddr_in sa;
  if ((r = parse_addr(&sa, argv[2], argv[3]))) return r;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) return fail(1, errno, "socket");
  if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
    if (errno != EINPROGRESS) return fail(1, errno, "connect");
    struct pollfd p = {s, POLLOUT, 0};
    if (poll(&p, 1, timeout) == 0) return fail(1, ETIMEDOUT, "connect");
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) return fail(1, err, "connect");
  }
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK);
  dprintf(2, "ok\n");
  return relay(0, 1, s);
}
