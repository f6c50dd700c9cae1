/*
 * kjobs-launcher: starts container runs for the kubelet-agent from a small process, and is their
 * shim: it waits for each run and records its exit status.
 *
 * Why: on these machines a fork costs in proportion to the parent's memory, so forking the
 * ~150 MiB agent for every container (plus a POSIX sh shim and the `mv` it runs) was most of a
 * pod's CPU. The agent starts this program once; each run is one fork of it and one exec.
 *
 * Protocol (stdin, from the agent): frames of a 4-byte little-endian length, then NUL-terminated
 * fields: id, cwd, log file, exit file, argc, argv..., envc, env....
 * Replies (stdout, one line each; the lines of one turn of the main loop in one write):
 *   S <id> <pid>          the run started (pid = the program, leader of a new session and group)
 *   F <id> <errno>        it could not be started (cwd or log file); nothing is left running
 *   X <pid> <code> <sig>  a run ended: exit code (-1 when killed) and signal number (0 when none)
 *
 * Exit records: when a run ends, its status (the exit code, or 128+n after signal n) is recorded
 * BEFORE the process is reaped, so once its pid is gone the record is complete. A restarted
 * agent reads them. With a directory as argv[1] (what the agent gives), the record is one line
 * "<status> <epoch ms> <exit file>\n" appended with one write() to <dir>/<own pid>.log, renamed
 * to <dir>/<own pid>.old.log (replacing the previous one) once it reaches 256 KiB. Without one,
 * or when the append fails, the status is written to the run's exit file instead. Why a journal:
 * creating a file costs 0.5 ms or more of CPU on ext4 on these machines, an append ~0.01 ms.
 *
 * Overlay runs: a run whose argv[0] is "kjobs:overlay" is "kjobs:overlay <dir> <options> <target>
 * <program> <args…>": the child enters a private mount namespace of its own, mounts an overlay
 * file system (options with lowerdir paths relative to <dir>) at <target>, then execs the program
 * (runc). The mount lives exactly as long as that namespace: no crash can leave it behind. Why
 * here: the same thing through `unshare`, `sh` and `mount` was three more execs per container.
 *
 * Lifetime: the launcher is its own session, so signals to the agent's process group do not
 * reach it. At EOF on stdin (the agent ended or closed it) it takes no more requests but goes on
 * recording the runs it has, and exits when the last one ended.
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
#include <time.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int agent_gone = 0;

/* Replies wait here and go out in one write per turn of the main loop (flush_out): a pipe write
   costs 0.1-0.3 ms of CPU on these machines, the agent's wake-up included. */
static char *out = NULL;
static size_t out_len = 0, out_cap = 0;

static void put(const char *line) {
  if (agent_gone) return;
  size_t n = strlen(line);
  if (out_len + n > out_cap) {
    size_t cap = out_cap ? out_cap * 2 : 4096;
    while (cap < out_len + n) cap *= 2;
    char *grown = realloc(out, cap);
    if (!grown) abort();
    out = grown;
    out_cap = cap;
  }
  memcpy(out + out_len, line, n);
  out_len += n;
}

static void flush_out(void) {
  size_t off = 0;
  while (!agent_gone && off < out_len) {
    ssize_t w = write(1, out + off, out_len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) { agent_gone = 1; break; }
    off += (size_t)w;
  }
  out_len = 0;
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

/* ───────────── the runs this launcher waits for ───────────── */

struct run { pid_t pid; char *exit_file; };
static struct run *runs = NULL;
static size_t nruns = 0, cap = 0;

static void add_run(pid_t pid, const char *exit_file) {
  if (nruns == cap) {
    cap = cap ? cap * 2 : 64;
    runs = realloc(runs, cap * sizeof *runs);
    if (!runs) abort();
  }
  runs[nruns].pid = pid;
  runs[nruns].exit_file = strdup(exit_file);
  nruns++;
}

static char *take_run(pid_t pid) {
  for (size_t i = 0; i < nruns; i++) {
    if (runs[i].pid == pid) {
      char *f = runs[i].exit_file;
      runs[i] = runs[--nruns];
      return f;
    }
  }
  return NULL;
}

/* One write() of a few bytes, no temp file and rename (a rename costs ~0.3 ms on ext4 here): a
   reader that finds the file empty or missing waits while the run is still a zombie, and the run
   is reaped only after this returns. */
static void write_exit_file(const char *exit_file, int code) {
  int fd = open(exit_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char buf[16];
  int n = snprintf(buf, sizeof buf, "%d\n", code);
  (void)!write(fd, buf, (size_t)n);
  close(fd);
}

/* ───────────── the exit journal ───────────── */

#define JOURNAL_ROTATE_BYTES (256 * 1024)
static char journal_path[4096], journal_old[4096];
static int journal_fd = -1;
static off_t journal_size = 0;

/* Append "<code> <ms> <exit file>" to the journal; 0 when it is there. */
static int journal_exit(const char *exit_file, int code) {
  if (!journal_path[0]) return -1;
  if (journal_fd < 0) {
    journal_fd = open(journal_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (journal_fd < 0) return -1;
    struct stat st;
    journal_size = fstat(journal_fd, &st) == 0 ? st.st_size : 0;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  size_t cap = strlen(exit_file) + 48;
  char *line = malloc(cap);
  if (!line) return -1;
  int n = snprintf(line, cap, "%d %lld %s\n", code, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, exit_file);
  ssize_t w = write(journal_fd, line, (size_t)n);
  free(line);
  if (w != n) return -1;
  journal_size += n;
  if (journal_size >= JOURNAL_ROTATE_BYTES && rename(journal_path, journal_old) == 0) {
    close(journal_fd);
    journal_fd = -1;
  }
  return 0;
}

/* Record every run that ended: exit record first, then reap, then tell the agent. */
static void reap(void) {
  for (;;) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0) return;
    pid_t pid = si.si_pid;
    int killed = si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED;
    int code = killed ? 128 + si.si_status : si.si_status;
    char *exit_file = take_run(pid);
    if (exit_file) {
      if (journal_exit(exit_file, code) != 0) write_exit_file(exit_file, code);
      free(exit_file);
    }
    waitpid(pid, NULL, 0);
    char line[96];
    if (killed) snprintf(line, sizeof line, "X %d -1 %d\n", (int)pid, si.si_status);
    else snprintf(line, sizeof line, "X %d %d 0\n", (int)pid, si.si_status);
    put(line);
  }
}

/* ───────────── one request ───────────── */

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

static void launch(char *buf, uint32_t len) {
  enum { MAX_FIELDS = 16384 };
  static char *fields[MAX_FIELDS];
  int nf = 0;
  for (uint32_t i = 0, start = 0; i < len && nf < MAX_FIELDS; i++) {
    if (buf[i] == '\0') { fields[nf++] = buf + start; start = i + 1; }
  }
  if (nf < 6) return;
  const char *id = fields[0], *cwd = fields[1], *log = fields[2], *exit_file = fields[3];
  int argc = atoi(fields[4]);
  char line[256];
  if (argc < 1 || 5 + argc >= nf) {
    snprintf(line, sizeof line, "F %s %d\n", id, EINVAL);
    put(line);
    return;
  }
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  for (int i = 0; i < argc; i++) argv[i] = fields[5 + i];
  int envc = atoi(fields[5 + argc]);
  if (envc < 0 || 6 + argc + envc > nf) envc = 0;
  char **envp = calloc((size_t)envc + 1, sizeof *envp);
  for (int i = 0; i < envc; i++) envp[i] = fields[6 + argc + i];

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
    /* The run: its own session and group, its cwd, the log as stdout/stderr, nothing else open.
       errp[1] is close-on-exec: a successful exec closes it and the launcher reads EOF. */
    reset_signals();
    int e = 0;
    if (setsid() < 0) e = errno;
    else if (argc >= 5 && strcmp(argv[0], "kjobs:overlay") == 0) {
      if (unshare(CLONE_NEWNS) < 0) e = errno;
      else if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) e = errno;
      else if (chdir(argv[1]) < 0) e = errno;
      else if (mount("overlay", argv[3], "overlay", 0, argv[2]) < 0) e = errno;
      argv += 4;
    }
    if (!e && chdir(cwd) < 0) e = errno;
    if (e) { (void)!write(errp[1], &e, sizeof e); _exit(127); }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    dup2(devnull, 0);
    dup2(logfd, 1);
    dup2(logfd, 2);
    if (errp[1] != 3) { dup2(errp[1], 3); fcntl(3, F_SETFD, FD_CLOEXEC); }
    close_from(4);
    environ = envp;
    execvp(argv[0], argv);
    /* Like a shell: the run exists and ends with 127 (not found) or 126, its log says why. */
    int ee = errno;
    dprintf(2, "kjobs: exec %s: %s\n", argv[0], strerror(ee));
    _exit(ee == ENOENT ? 127 : 126);
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
  else {
    add_run(p, exit_file);
    snprintf(line, sizeof line, "S %s %d\n", id, (int)p);
  }
  put(line);
  free(argv);
  free(envp);
}

int main(int argc, char **argv) {
  setsid();
  if (argc > 1 && argv[1][0]) {
    snprintf(journal_path, sizeof journal_path, "%s/%d.log", argv[1], (int)getpid());
    snprintf(journal_old, sizeof journal_old, "%s/%d.old.log", argv[1], (int)getpid());
  }
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 1;
  int open_in = 1;
  struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
  for (;;) {
    if (!open_in && nruns == 0) return 0;
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {}
      reap();
    }
    if (open_in && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      /* Every request waiting (up to 32 a turn: the first one's reply waits for the last), then one write of all their replies. */
      for (int taken = 0; taken < 32; taken++) {
        if (taken > 0) {
          struct pollfd more = {.fd = 0, .events = POLLIN};
          if (poll(&more, 1, 0) <= 0 || !(more.revents & POLLIN)) break;
        }
        uint32_t len = 0;
        char *buf = NULL;
        if (read_full(0, &len, sizeof len) < 0 || len > (64u << 20) || !(buf = malloc(len + 1)) || read_full(0, buf, len) < 0) {
          /* The agent is gone (or spoke nonsense): take no more requests, keep recording runs. */
          free(buf);
          open_in = 0;
          agent_gone = 1;
          fds[0].fd = -1;
          break;
        }
        buf[len] = '\0';
        launch(buf, len);
        free(buf);
      }
      reap();
    }
    flush_out();
  }
}
