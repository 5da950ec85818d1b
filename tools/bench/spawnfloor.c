/* spawnfloor.c - the floor for the event-to-hook latency benchmark: the
 * least any agent can add. It reads no stream; every INTERVAL_MS it
 * stamps DOCKEV_TIME_NANO with the time now and posix_spawns HOOK (the
 * same tools/bench/hookstamp.c), with its own environment, N times,
 * reaping as it goes. What hookstamp then records is the machine's cost
 * of starting a process, to set beside dockev's figure in the same run.
 *
 * usage: bench-spawnfloor HOOK N INTERVAL_MS */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

#define ENV_MAX 512

int main(int argc, char **argv)
{
	static char *env[ENV_MAX + 2];
	char stamp[64], *args[2];
	struct timespec next, now;
	long i, n, ms;
	int k = 0, st;
	pid_t pid;

	if (argc != 4) {
		fprintf(stderr, "usage: bench-spawnfloor HOOK N INTERVAL_MS\n");
		return 2;
	}
	n = atol(argv[2]);
	ms = atol(argv[3]);
	while (environ[k] && k < ENV_MAX) {
		env[k] = environ[k];
		k++;
	}
	env[k] = stamp;
	env[k + 1] = NULL;
	args[0] = argv[1];
	args[1] = NULL;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_REALTIME, &now);
		snprintf(stamp, sizeof stamp, "DOCKEV_TIME_NANO=%lld",
		         (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
		if (posix_spawn(&pid, argv[1], NULL, NULL, args, env) != 0) {
			perror("posix_spawn");
			return 1;
		}
		while (waitpid(-1, &st, WNOHANG) > 0)
			;
		next.tv_nsec += ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	while (wait(&st) > 0)
		;
	return 0;
}
