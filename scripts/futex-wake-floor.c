/*
 * The floor under any sleeping waiter on this machine: how long a futex wake takes to run a process that sleeps
 * on a shared word, one wake every millisecond (so the sleeper's CPU goes idle in between, as an idle channel's
 * does). docs/waiting.md compares Aperture's BLOCKING wake-up with it.
 *
 *   gcc -O2 -o /tmp/futex-wake-floor scripts/futex-wake-floor.c && /tmp/futex-wake-floor
 *
 * Seen on the 2-vCPU KVM guest of 2026-12-01, 5 runs over half an hour: p50 10.2-16.2 us, p99 19-104 us; it moves
 * with the host's load.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared { _Atomic int word; _Atomic long t0; _Atomic long lat[4000]; };
static long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000L + t.tv_nsec; }
static int cmp(const void *a, const void *b) { long x = *(long *) a, y = *(long *) b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
  int n = 2000;
  struct shared *s = mmap(0, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pid_t c = fork();
  if (c == 0) {
    for (int i = 1; i <= n; i++) {
      while (atomic_load(&s->word) < i) syscall(SYS_futex, &s->word, FUTEX_WAIT, i - 1, 0, 0, 0);
      s->lat[i - 1] = now() - atomic_load(&s->t0);
    }
    _exit(0);
  }
  for (int i = 1; i <= n; i++) {
    usleep(1000); /* the sleeper's CPU goes idle, as an idle channel's does */
    atomic_store(&s->t0, now());
    atomic_store(&s->word, i);
    syscall(SYS_futex, &s->word, FUTEX_WAKE, 1, 0, 0, 0);
  }
  waitpid(c, 0, 0);
  long l[4000]; for (int i = 0; i < n; i++) l[i] = s->lat[i];
  qsort(l, n, sizeof l[0], cmp);
  printf("futex wake of a sleeping process, %d samples: p50 %.1f us, p90 %.1f us, p99 %.1f us\n", n,
         l[n / 2] / 1e3, l[n * 9 / 10] / 1e3, l[n * 99 / 100] / 1e3);
  return 0;
}
