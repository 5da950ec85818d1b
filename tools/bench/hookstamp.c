/* hookstamp.c - a hook for the latency benchmark: appends "start_ns
 * event_time_nano" to $HOOKSTAMP_FILE the moment it runs, so that start
 * minus the event's send time (fake engine --live) is the event-to-hook
 * start latency. A C program, since a shell's own start-up would be most
 * of what is measured. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct timespec ts;
	const char *file = getenv("HOOKSTAMP_FILE");
	const char *tn = getenv("DOCKEV_TIME_NANO");
	char line[64];
	int fd, n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (!file || !tn)
		return 2;
	n = snprintf(line, sizeof line, "%lld %s\n",
	             (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, tn);
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		return 1;
	close(fd);
	return 0;
}
