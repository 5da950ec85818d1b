/* main.c - the command line: options and environment into struct dk_opts,
 * then the agent. The only place that exits: 0 at --until or on
 * SIGINT/SIGTERM, 1 on a configuration error, 2 on a usage error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent.h"
#include "err.h"
#include "filter.h"
#include "request.h"
#include "tls.h"
#include "when.h"

static struct dk_agent agent;
static char outbuf[DK_OUT_BUF];

static const char usage_text[] =
"usage: dockev [OPTIONS]\n"
"Watch a Docker Engine's events and react to them.\n"
"\n"
"  -H, --host URL        engine: unix:///path, tcp://host:port\n"
"                        (default $DOCKER_HOST, else " DK_DEFAULT_HOST ")\n"
"  -f, --filter K=V      engine-side filter, repeatable: same key ORs,\n"
"                        different keys AND (type, event, container, image,\n"
"                        label, network, volume, daemon, plugin, node,\n"
"                        service, secret, config, scope)\n"
"      --since TIME      replay events since TIME: Unix seconds[.frac],\n"
"                        RFC 3339, or a duration before now (10m, 1h30m)\n"
"      --until TIME      stop at TIME (exit 0 when the engine ends there)\n"
"  -j, --json            print each event's JSON exactly as received\n"
"      --api-version V   use API version V (default: negotiate, or\n"
"                        $DOCKER_API_VERSION)\n"
"      --backoff MIN:MAX[:RESET]\n"
"                        reconnect delays (default 500ms:30s:60s): jittered,\n"
"                        doubling from MIN to MAX; a connection up for RESET\n"
"                        starts again from MIN\n"
"      --hooks DIR       run the executables in DIR/TYPE.ACTION.d/, DIR/TYPE.d/\n"
"                        and DIR/all.d/ for each event (see README: hooks)\n"
"      --hook-timeout D  kill a hook's process group after D (default 30s)\n"
"      --hook-jobs N     hooks of different actors at once (default 4)\n"
"      --hook-queue N    events waiting for their hooks, at most (default 64)\n"
"      --tls             use TLS to a tcp:// engine without verifying it\n"
"                        (warns at each connect; default port 2376)\n"
"      --tlsverify       use TLS and verify the engine: chain against the CA,\n"
"                        dates, host name or IP address (also when\n"
"                        $DOCKER_TLS_VERIFY is not empty)\n"
"      --tlscacert F     CA certificate (default $DOCKER_CERT_PATH/ca.pem)\n"
"      --tlscert F       client certificate (default $DOCKER_CERT_PATH/cert.pem\n"
"                        when it exists; DOCKER_CERT_PATH defaults to ~/.docker)\n"
"      --tlskey F        client key (default $DOCKER_CERT_PATH/key.pem)\n"
"      --state FILE      keep the resume point in FILE (written at most every\n"
"                        5 s and at exit) and resume there after a restart\n"
"  -v, --verbose         more log lines (requests)\n"
"  -q, --quiet           log errors only\n"
"      --syslog          log to syslog (daemon facility) instead of stderr\n"
"      --version         print the version and exit\n"
"  -h, --help            print this help and exit\n"
"\n"
"Output: events on stdout (one line each, or JSON with --json, which prints\n"
"only the engine's events); synthetic events of type \"dockev\" (connect,\n"
"disconnect, resync when events may have been lost) go to handlers, hooks\n"
"and the one-line output.\n"
"\n"
"Hooks: for an event of TYPE with base ACTION (before ':'), the scripts in\n"
"DIR/TYPE.ACTION.d/, DIR/TYPE.d/, DIR/all.d/ run in that order, by name; only\n"
"regular executables named [A-Za-z0-9_-]+, owned by root or this user, not\n"
"writable by group or others (nor their directory). Never through a shell:\n"
"  argv   SCRIPT TYPE ACTION ACTOR_ID\n"
"  stdin  the event's JSON and a newline; stdout/stderr: dockev's stderr\n"
"  env    DOCKEV_TYPE DOCKEV_ACTION DOCKEV_ACTION_DETAIL DOCKEV_ID DOCKEV_NAME\n"
"         DOCKEV_IMAGE DOCKEV_SCOPE DOCKEV_TIME DOCKEV_TIME_NANO DOCKEV_HOST and\n"
"         DOCKEV_ATTR_<KEY> per attribute (KEY upper-cased, non A-Z0-9 as _)\n"
"One actor's events run their hooks in order; a full queue skips an event's\n"
"hooks (logged, counted); a timeout kills the script's process group.\n"
"Diagnostics on stderr or syslog. SIGUSR1 logs counters.\n"
"Exit: 0 at --until or on SIGINT/SIGTERM, 1 configuration error, 2 usage.\n";

static void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("dockev: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see dockev --help)\n", stderr);
	exit(2);
}

/* "--name=value", "--name value", "-x value" or "-xvalue". Returns the
 * value and advances *i, or NULL when argv[*i] is not this option. */
static const char *opt_value(int argc, char **argv, int *i, const char *s,
                             const char *l)
{
	const char *a = argv[*i];
	size_t ll = l ? strlen(l) : 0;

	/* argv[*i] with *i < argc is never NULL (C11 5.1.2.2.1). */
	if ((s && strcmp(a, s) == 0) || (l && strcmp(a, l) == 0)) { /* NOLINT(clang-analyzer-core.NonNullParamChecker) */
		if (*i + 1 >= argc)
			usage_error("option %s needs a value", a);
		return argv[++*i];
	}
	if (l && strncmp(a, l, ll) == 0 && a[ll] == '=')
		return a + ll + 1;
	if (s && strncmp(a, s, 2) == 0 && a[2] && a[1] != '-')
		return a + 2;
	return NULL;
}

static int64_t duration_ms(const char *s, const char *opt)
{
	int64_t ns;
	if (dk_when_duration(s, &ns) != DK_OK)
		usage_error("bad %s duration '%s'", opt, s);
	return ns / 1000000;
}

/* A whole number in [lo, hi], else a usage error naming the option. */
static int number(const char *s, const char *opt, int lo, int hi)
{
	long v = 0;
	const char *p = s;

	if (!*p)
		usage_error("bad %s '%s': want a number", opt, s);
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > hi)
			usage_error("bad %s '%s': want a number from %d to %d", opt, s,
			            lo, hi);
		v = v * 10 + (*p - '0');
	}
	if (v < lo || v > hi)
		usage_error("bad %s '%s': want a number from %d to %d", opt, s, lo, hi);
	return (int)v;
}

static void parse_backoff(struct dk_opts *o, const char *v)
{
	char part[3][32];
	int n = 0;
	const char *p = v;

	while (n < 3) {
		const char *c = strchr(p, ':');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == 0 || len >= sizeof part[0])
			usage_error("bad --backoff '%s': want MIN:MAX[:RESET]", v);
		memcpy(part[n], p, len);
		part[n++][len] = '\0';
		if (!c)
			break;
		p = c + 1;
	}
	if (n < 2 || (n == 3 && strchr(p, ':')))
		usage_error("bad --backoff '%s': want MIN:MAX[:RESET]", v);
	o->backoff_min_ms = duration_ms(part[0], "--backoff");
	o->backoff_max_ms = duration_ms(part[1], "--backoff");
	if (n == 3)
		o->backoff_reset_ms = duration_ms(part[2], "--backoff");
	if (o->backoff_min_ms < 1 || o->backoff_max_ms < o->backoff_min_ms ||
	    o->backoff_max_ms > 86400000)
		usage_error("bad --backoff '%s': need 0 < MIN <= MAX <= 24h", v);
}

static void parse_args(struct dk_opts *o, int argc, char **argv)
{
	int64_t now = dk_port_wall_ns();
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			exit(0);
		} else if (strcmp(a, "--version") == 0) {
			printf("dockev %s (Engine API up to %s, TLS %s)\n", DK_VERSION,
			       DK_API_VERSION,
			       dk_tls_backend() ? dk_tls_backend() : "none");
			exit(0);
		} else if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			o->verbosity = 1;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			o->verbosity = -1;
		} else if (strcmp(a, "--syslog") == 0) {
			o->use_syslog = 1;
		} else if (strcmp(a, "--tls") == 0) {
			o->tls = 1;
		} else if (strcmp(a, "--tlsverify") == 0) {
			o->tls = o->tls_verify = 1;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--tlscacert"))) {
			o->tls_ca = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--tlscert"))) {
			o->tls_cert = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--tlskey"))) {
			o->tls_key = v;
		} else if ((v = opt_value(argc, argv, &i, "-H", "--host"))) {
			o->host = v;
		} else if ((v = opt_value(argc, argv, &i, "-f", "--filter"))) {
			if (o->nfilters == DK_FILTER_ARGS_MAX)
				usage_error("too many filters (at most %d)",
				            DK_FILTER_ARGS_MAX);
			o->filters[o->nfilters++] = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--since"))) {
			if (dk_when_parse(v, now, &o->since_ns) != DK_OK ||
			    o->since_ns < 0)
				usage_error("bad --since time '%s'", v);
			o->has_since = 1;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--until"))) {
			if (dk_when_parse(v, now, &o->until_ns) != DK_OK ||
			    o->until_ns < 0)
				usage_error("bad --until time '%s'", v);
			o->has_until = 1;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--api-version"))) {
			if (dk_request_version_valid(v) != DK_OK)
				usage_error("bad --api-version '%s': want like 1.41", v);
			o->api_version = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--backoff"))) {
			parse_backoff(o, v);
		} else if ((v = opt_value(argc, argv, &i, NULL, "--hooks"))) {
			if (!*v)
				usage_error("bad --hooks '%s': want a directory", v);
			o->hooks_dir = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--hook-timeout"))) {
			o->hook_timeout_ms = duration_ms(v, "--hook-timeout");
			if (o->hook_timeout_ms < 1)
				usage_error("bad --hook-timeout '%s': want more than 0", v);
		} else if ((v = opt_value(argc, argv, &i, NULL, "--hook-jobs"))) {
			o->hook_jobs = number(v, "--hook-jobs", 1, DK_HOOK_JOBS_MAX);
		} else if ((v = opt_value(argc, argv, &i, NULL, "--hook-queue"))) {
			o->hook_queue = number(v, "--hook-queue", 1, DK_HOOK_QUEUE_MAX);
		} else if ((v = opt_value(argc, argv, &i, NULL, "--state"))) {
			if (!*v)
				usage_error("bad --state '%s': want a file", v);
			o->state_file = v;
		} else if (a[0] == '-') {
			usage_error("unknown option '%s'", a);
		} else {
			usage_error("unexpected argument '%s'", a);
		}
	}
}

/* ---- TLS files, as the docker CLI finds them ------------------------------ */

static char tls_paths[3][DK_TLS_PATH_MAX];

/* DIR/name into buf; 0, or -1 (logged) when it does not fit. */
static int cert_path(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, DK_TLS_PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || n >= DK_TLS_PATH_MAX) {
		dk_port_log(DK_LOG_ERR, "TLS: path %s/%s too long", dir, name);
		return -1;
	}
	return 0;
}

static int readable(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f)
		fclose(f);
	return f != NULL;
}

/* Files from the options, else from $DOCKER_CERT_PATH (default
 * ~/.docker): with --tlsverify the CA must exist; a client certificate and
 * key given as options must exist, the default ones are used only when
 * both do; with --tls alone the CA is not used. Then load them. */
static int tls_setup(struct dk_opts *o)
{
	const char *dir = getenv("DOCKER_CERT_PATH"), *home = getenv("HOME");
	const char *ca = o->tls_ca, *cert = o->tls_cert, *key = o->tls_key;
	char home_dir[DK_TLS_PATH_MAX], why[DK_TLS_PATH_MAX + 128];

	if (!dir || !*dir) {
		const char *cfg = getenv("DOCKER_CONFIG");
		if (cfg && *cfg) {
			dir = cfg;
		} else {
			if (cert_path(home_dir, home && *home ? home : ".", ".docker"))
				return -1;
			dir = home_dir;
		}
	}
	if (o->tls_verify && !ca) {
		if (cert_path(tls_paths[0], dir, "ca.pem"))
			return -1;
		ca = tls_paths[0];
	}
	if (!cert && !key) {
		if (cert_path(tls_paths[1], dir, "cert.pem") ||
		    cert_path(tls_paths[2], dir, "key.pem"))
			return -1;
		if (readable(tls_paths[1]) && readable(tls_paths[2])) {
			cert = tls_paths[1];
			key = tls_paths[2];
		}
	} else if (!cert || !key) {
		dk_port_log(DK_LOG_ERR, "TLS: --tlscert and --tlskey go together "
		            "(a client certificate and its key)");
		return -1;
	}
	if (dk_tls_setup(o->tls_verify, ca, cert, key, why, sizeof why) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "%s", why);
		dk_tls_free();
		return -1;
	}
	dk_port_log(DK_LOG_DEBUG, "TLS (%s): %s, CA %s, client certificate %s",
	            dk_tls_backend(), o->tls_verify ? "verify" : "no verification",
	            o->tls_verify ? ca : "unused", cert ? cert : "none");
	return 0;
}

int main(int argc, char **argv)
{
	struct dk_opts *o = &agent.opts;
	const char *env;
	int r, bad = -1;

	/* Started with stdin, stdout or stderr closed (some init systems),
	 * a socket or a hook's pipe would land there. */
	while ((r = dk_port_open_null()) >= 0 && r < 3)
		;
	if (r > 2)
		dk_port_close(r);

	o->backoff_min_ms = DK_BACKOFF_MIN_MS;
	o->backoff_max_ms = DK_BACKOFF_MAX_MS;
	o->backoff_reset_ms = DK_BACKOFF_RESET_MS;
	o->hook_timeout_ms = DK_HOOK_TIMEOUT_MS;
	o->hook_jobs = DK_HOOK_JOBS_DEFAULT;
	o->hook_queue = DK_HOOK_QUEUE_DEFAULT;
	parse_args(o, argc, argv);

	/* Filters are checked here so that a bad key is a usage error. */
	r = dk_filter_build(agent.filters, sizeof agent.filters, o->filters,
	                    o->nfilters, &bad);
	if (r == DK_ERR_NOSPACE)
		usage_error("filters too long: their JSON is over %d bytes",
		            DK_FILTERS_MAX);
	if (r < 0)
		usage_error("bad filter '%s': want KEY=VALUE with a docker "
		            "events filter key", bad >= 0 ? o->filters[bad] : "");

	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	dk_port_log_open(o->use_syslog, o->verbosity < 0 ? DK_LOG_ERR
	                 : o->verbosity > 0 ? DK_LOG_DEBUG : DK_LOG_INFO);

	/* The environment, as the docker CLI reads it. */
	if (!o->host && (env = getenv("DOCKER_HOST")) && *env)
		o->host = env;
	if (!o->api_version && (env = getenv("DOCKER_API_VERSION")) && *env) {
		if (dk_request_version_valid(env) != DK_OK) {
			dk_port_log(DK_LOG_ERR, "bad DOCKER_API_VERSION '%s'", env);
			return 1;
		}
		o->api_version = env;
	}
	if ((env = getenv("DOCKER_TLS_VERIFY")) && *env)
		o->tls = o->tls_verify = 1;

	r = dk_endpoint_parse(&agent.ep, o->host, o->tls);
	if (r != DK_OK) {
		dk_port_log(DK_LOG_ERR, "bad engine URL '%s': %s",
		            o->host ? o->host : DK_DEFAULT_HOST, dk_strerror(r));
		return 1;
	}
	if (agent.ep.tls && !dk_tls_backend()) {
		dk_port_log(DK_LOG_ERR, "TLS asked for (--tls, --tlsverify or "
		            "DOCKER_TLS_VERIFY) but dockev was built without TLS "
		            "(TLS=none); rebuild with TLS=mbedtls");
		return 1;
	}
	if (o->hooks_dir && dk_hook_check_dir(o->hooks_dir) != DK_OK)
		return 1;
	if ((r = dk_agent_init(&agent)) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "%s", dk_strerror(r));
		return 1;
	}
	if (dk_agent_state_load(&agent) != DK_OK)
		return 1;
	/* Late, so that only the next exit must unload it. */
	if (agent.ep.tls && tls_setup(o) != 0)
		return 1;
	if (dk_port_signals_init() != DK_OK) {
		dk_port_log(DK_LOG_ERR, "cannot install signal handlers");
		dk_tls_free();
		return 1;
	}
	r = dk_agent_run(&agent);
	dk_tls_free();
	fflush(stdout);
	if (o->verbosity > 0)
		dk_agent_log_counters(&agent);
	return r;
}
