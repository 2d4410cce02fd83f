/* What a context switch costs on this machine: two processes pinned to one
 * CPU hand it to each other with sched_yield (each yield is one switch),
 * and, for the cost of the system call alone, one process yields on a CPU
 * of its own. Prints min / median / max over runs.
 * Build and run: make bench-context-switch */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
static void pin(int cpu) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); sched_setaffinity(0, sizeof s, &s); }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }

static double yields(int n) { double t = now(); for (int i = 0; i < n; i++) sched_yield(); return (now() - t) / n; }

int main(void) {
    enum { RUNS = 5, N = 200000 };
    double shared[RUNS], alone[RUNS];
    for (int r = 0; r < RUNS; r++) {
        int fd[2]; pipe(fd);
        pid_t p = fork();
        pin(0);
        double ns = yields(N);
        if (p == 0) { write(fd[1], &ns, sizeof ns); _exit(0); }
        double other; read(fd[0], &other, sizeof other); waitpid(p, 0, 0);
        close(fd[0]); close(fd[1]);
        /* Each process's yield loop spans its own and the other's turns. */
        shared[r] = (ns + other) / 2 / 2;
        alone[r] = yields(N);
    }
    qsort(shared, RUNS, sizeof(double), cmp);
    qsort(alone, RUNS, sizeof(double), cmp);
    printf("context switch (sched_yield between two processes on one CPU): %.0f / %.0f / %.0f ns\n", shared[0], shared[RUNS / 2], shared[RUNS - 1]);
    printf("sched_yield system call with no one to switch to:              %.0f / %.0f / %.0f ns\n", alone[0], alone[RUNS / 2], alone[RUNS - 1]);
    return 0;
}
