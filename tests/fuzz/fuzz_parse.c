/* fuzz_parse.c - the command-line parsers: engine URLs (-H, DOCKER_HOST),
 * --since/--until times and Go durations, with the formatters run over
 * whatever they accept (a parsed time at or after 1970 must format and
 * round-trip). */
#include <string.h>
#include "fuzz.h"
#include "config.h"
#include "err.h"
#include "endpoint.h"
#include "when.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[512], out[64];
	struct dk_endpoint ep;
	int64_t ns, back;

	if (size >= sizeof s)
		size = sizeof s - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	if (dk_endpoint_parse(&ep, s, size & 1) == DK_OK &&
	    (!memchr(ep.url, '\0', sizeof ep.url) ||
	     !memchr(ep.host_header, '\0', sizeof ep.host_header)))
		__builtin_trap();
	if (dk_when_parse(s, 1795792644000000000LL, &ns) == DK_OK) {
		if (dk_when_format(ns, out, sizeof out) < 0)
			__builtin_trap();
		/* the engine form parses back to the same instant (a duration
		 * longer than the epoch's age gives a time before 1970, whose
		 * "-S.N" form is for the engine only: the parser takes no sign) */
		if (ns >= 0 && (dk_when_parse(out, 0, &back) != DK_OK || back != ns))
			__builtin_trap();
		(void)dk_when_rfc3339(ns, out, sizeof out);
	}
	if (dk_when_duration(s, &ns) == DK_OK && ns < 0)
		__builtin_trap();
	return 0;
}
