/*
 * kjobs-launcher: starts container runs for the kubelet-agent from a small process.
 *
 * Why: on these machines a fork costs in proportion to the parent's memory, so forking the
 * ~150 MiB agent for every container (plus a POSIX sh shim and the `mv` it runs) was most of a
 * pod's CPU. The agent starts this program once; each run is one fork of it, which becomes the
 * run's shim without an exec, and one fork + exec of the program.
 *
 * Protocol (stdin, from the agent): frames of a 4-byte little-endian length, then NUL-terminated
 * fields: id, cwd, log file, exit file, argc, argv..., envc, env....
 * Replies (stdout, one line each):
 *   S <id> <pid>          the run's shim started (pid = its process group, a new session)
 *   F <id> <errno>        it could not be started (cwd or log file), nothing is left running
 *   X <pid> <code> <sig>  a shim ended: exit code (-1 when killed) and signal number (0 when none)
 * At EOF on stdin (the agent ended) the launcher exits; the shims live on in their own sessions,
 * and a restarted agent learns their exit status from the exit files.
 *
 * The shim (the forked child): forwards SIGTERM, SIGINT and SIGHUP to the program, waits for it
 * and writes its exit status (128+n after signal n) to the exit file with write-then-rename, then
 * exits with the same status — the same contract as the sh shim it replaces (src/runtime/shim.ts).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void put(const char *line) {
  size_t n = strlen(line), off = 0;
  while (off < n) {
    ssize_t w = write(1, line + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(0); /* the agent is gone */
    off += (size_t)w;
  }
}

static int read_full(int fd, void *buf, size_t n) {
  size_t off = 0;
  while (off < n) {
    ssize_t r = read(fd, (char *)buf + off, n - off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    off += (size_t)r;
  }
  return 0;
}

/* ───────────── the shim, in the forked child ───────────── */

static volatile pid_t program = 0;
static volatile sig_atomic_t early = 0;

static void forward(int sig) {
  if (program > 0) kill(program, sig);
  else early = sig;
}

static void reset_signals(void) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int s = 1; s < NSIG; s++) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    sigaction(s, &dfl, NULL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

static void close_from(int lowest) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, (unsigned)lowest, ~0u, 0u) == 0) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (int fd = lowest; fd < max; fd++) close(fd);
}

static void run_shim(const char *exit_file, char **argv, char **envp) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  pid_t p = fork();
  if (p < 0) _exit(126);
  if (p == 0) {
    reset_signals();
    environ = envp;
    execvp(argv[0], argv);
    int e = errno;
    dprintf(2, "kjobs: exec %s: %s\n", argv[0], strerror(e));
    _exit(e == ENOENT ? 127 : 126);
  }
  program = p;
  if (early) kill(p, early);
  int st = 0;
  while (waitpid(p, &st, 0) < 0) {
    if (errno != EINTR) { st = 137 << 8; break; }
  }
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  char tmp[4200];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", exit_file) < (int)sizeof tmp) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      char buf[16];
      int n = snprintf(buf, sizeof buf, "%d\n", code);
      int ok = write(fd, buf, (size_t)n) == n;
      close(fd);
      if (ok) rename(tmp, exit_file);
    }
  }
  _exit(code);
}

/* ───────────── one request ───────────── */

static void launch(char *buf, uint32_t len) {
  char *fields[8192];
  int nf = 0;
  for (uint32_t i = 0, start = 0; i < len && nf < 8192; i++) {
    if (buf[i] == '\0') { fields[nf++] = buf + start; start = i + 1; }
  }
  if (nf < 6) return;
  const char *id = fields[0], *cwd = fields[1], *log = fields[2], *exit_file = fields[3];
  int argc = atoi(fields[4]);
  if (argc < 1 || 5 + argc >= nf) return;
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  for (int i = 0; i < argc; i++) argv[i] = fields[5 + i];
  int envc = atoi(fields[5 + argc]);
  if (envc < 0 || 6 + argc + envc > nf) envc = 0;
  char **envp = calloc((size_t)envc + 1, sizeof *envp);
  for (int i = 0; i < envc; i++) envp[i] = fields[6 + argc + i];

  char line[256];
  int logfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  int errp[2] = {-1, -1};
  if (logfd < 0 || pipe2(errp, O_CLOEXEC) < 0) {
    snprintf(line, sizeof line, "F %s %d\n", id, errno);
    put(line);
    if (logfd >= 0) close(logfd);
    free(argv);
    free(envp);
    return;
  }
  pid_t p = fork();
  if (p == 0) {
    reset_signals();
    int e = 0;
    if (setsid() < 0) e = errno;
    else if (chdir(cwd) < 0) e = errno;
    if (e) { (void)!write(errp[1], &e, sizeof e); _exit(127); }
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(logfd, 1);
    dup2(logfd, 2);
    int keep = errp[1];
    dup2(keep, 3);
    close_from(4);
    close(3); /* setup done: the launcher reads EOF */
    run_shim(exit_file, argv, envp);
  }
  int e = p < 0 ? errno : 0;
  close(errp[1]);
  close(logfd);
  if (p > 0) {
    int child_err = 0;
    if (read_full(errp[0], &child_err, sizeof child_err) == 0) {
      e = child_err;
      waitpid(p, NULL, 0);
    }
  }
  close(errp[0]);
  if (e) snprintf(line, sizeof line, "F %s %d\n", id, e);
  else snprintf(line, sizeof line, "S %s %d\n", id, (int)p);
  put(line);
  free(argv);
  free(envp);
}

static void reap(void) {
  int st;
  pid_t p;
  char line[96];
  while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
    if (WIFEXITED(st)) snprintf(line, sizeof line, "X %d %d 0\n", (int)p, WEXITSTATUS(st));
    else snprintf(line, sizeof line, "X %d -1 %d\n", (int)p, WTERMSIG(st));
    put(line);
  }
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 1;
  struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {}
      reap();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      uint32_t len;
      if (read_full(0, &len, sizeof len) < 0) return 0; /* the agent is gone */
      if (len > (64u << 20)) return 1;
      char *buf = malloc(len + 1);
      if (!buf || read_full(0, buf, len) < 0) return 0;
      buf[len] = '\0';
      launch(buf, len);
      free(buf);
      reap();
    }
  }
}
