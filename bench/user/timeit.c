/*
 * timeit: runs one command and writes its wall-clock time (CLOCK_MONOTONIC, fork to reap)
 * and how it ended to RESULT. Built natively by bench/user/run; the command inherits
 * stdin, stdout and stderr, so the caller redirects them on the host side.
 *
 *     timeit RESULT TIMEOUT_SECONDS PROG [ARGS...]
 *
 * RESULT gets one line: "SECONDS exit N", "SECONDS signal N" or "SECONDS timeout" (the
 * command was killed with SIGKILL after TIMEOUT_SECONDS, 0 meaning no limit); a PROG that
 * cannot be executed ends as "exit 127". Exit status 0 when RESULT was written, 1 when
 * timeit itself failed (RESULT, fork, waitpid), 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
    (void)sig;
    timed_out = 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: timeit RESULT TIMEOUT_SECONDS PROG [ARGS...]\n");
        return 2;
    }
    unsigned timeout = (unsigned)strtoul(argv[2], NULL, 10);
    FILE *res = fopen(argv[1], "w");
    if (!res) {
        fprintf(stderr, "timeit: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: waitpid returns EINTR */
    sigaction(SIGALRM, &sa, NULL);

    double start = now();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "timeit: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        fclose(res);
        execvp(argv[3], argv + 3);
        fprintf(stderr, "timeit: cannot run %s: %s\n", argv[3], strerror(errno));
        _exit(127);
    }
    if (timeout)
        alarm(timeout);
    int status;
    int killed = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "timeit: waitpid: %s\n", strerror(errno));
            return 1;
        }
        if (timed_out && !killed) {
            kill(pid, SIGKILL);
            killed = 1;
        }
    }
    double secs = now() - start;
    alarm(0);

    if (killed)
        fprintf(res, "%.6f timeout\n", secs);
    else if (WIFSIGNALED(status))
        fprintf(res, "%.6f signal %d\n", secs, WTERMSIG(status));
    else
        fprintf(res, "%.6f exit %d\n", secs, WEXITSTATUS(status));
    return fclose(res) == 0 ? 0 : 1;
}
