/*
 * Shows that membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) can skip a CPU that runs a thread of a process
 * registered for it (MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED), so that thread executes no barrier.
 * This is why Aperture's waker keeps its full fence (docs/waiting.md, "Why no asymmetric fence").
 *
 *   gcc -O2 -pthread -o /tmp/membarrier-stale-cpu scripts/membarrier-stale-cpu.c && /tmp/membarrier-stale-cpu
 *
 * Needs Linux on x86_64 with 2 or more CPUs, and little else running on CPU 1. It counts CPU 1's
 * function-call interrupts ("CAL" in /proc/interrupts) while a thread of this process spins there and
 * CPU 0 issues 1000 barriers: about 1000 means the barrier reached the thread, 0 means it skipped it.
 *
 * The kernel keeps a per-CPU copy of the running process's membarrier state (rq->membarrier_state) and
 * refreshes it only when a CPU switches to a task of another memory map. Two ordinary events leave it
 * stale, and it stays so until a task of some other process runs on that CPU:
 *   1. registration while CPU 1 is idle and still lazily holds this process's map;
 *   2. a thread of this process exiting on CPU 1 (exit_mm clears the copy, the map stays lazily active).
 * Seen on Linux 6.18 (KVM guest, 2 vCPUs), 5 runs: case 2 took 0 of 1000 in every run; case 1 took 0 in
 * 2 runs (in the others some other process ran on CPU 1 in between); the control took 996-1000.
 */
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop;

static long function_call_interrupts_on_cpu1(void) {
    FILE *f = fopen("/proc/interrupts", "r");
    char line[8192];
    long cpu0 = -1, cpu1 = -1;
    while (f && fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ') p++;
        if (strncmp(p, "CAL:", 4) == 0 && sscanf(p + 4, "%ld %ld", &cpu0, &cpu1) == 2) break;
    }
    if (f) fclose(f);
    return cpu1;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static void *spin_on_cpu1(void *unused) {
    pin(1);
    while (!atomic_load(&stop)) {
    }
    return NULL;
}

/* A thread of ours spins on CPU 1 while CPU 0 issues the barriers. */
static void measure(const char *after) {
    pthread_t t;
    atomic_store(&stop, 0);
    pthread_create(&t, NULL, spin_on_cpu1, NULL);
    usleep(50000);
    long before = function_call_interrupts_on_cpu1();
    for (int i = 0; i < 1000; i++) syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0);
    printf("%-52s CPU 1 took %4ld function-call interrupts for 1000 barriers\n", after,
           function_call_interrupts_on_cpu1() - before);
    atomic_store(&stop, 1);
    pthread_join(t, NULL); /* this exit on CPU 1 is case 2 for the next measure */
}

static void run_another_process_on_cpu1(void) {
    pid_t child = fork();
    if (child == 0) {
        pin(1);
        for (volatile long i = 0; i < 20000000; i++) {
        }
        _exit(0);
    }
    waitpid(child, NULL, 0);
}

int main(void) {
    pin(0);
    pthread_t t;
    atomic_store(&stop, 0);
    pthread_create(&t, NULL, spin_on_cpu1, NULL);
    usleep(50000);
    atomic_store(&stop, 1);
    pthread_join(t, NULL); /* CPU 1 idles now, lazily holding our map */
    usleep(200000);
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) != 0) {
        perror("membarrier register");
        return 1;
    }
    measure("1. registered while CPU 1 idled on our map:");
    measure("2. after one of our threads exited on CPU 1:");
    run_another_process_on_cpu1();
    measure("after another process ran on CPU 1 (control):");
    measure("2. again after one of our threads exited on CPU 1:");
    return 0;
}
