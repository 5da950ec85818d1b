/* main.c - the command line: options and environment into struct dk_opts,
 * then the agent. The only place that exits: 0 at --until or on
 * SIGINT/SIGTERM/SIGHUP, 1 on a configuration error, 2 on a usage error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent.h"
#include "context.h"
#include "err.h"
#include "filter.h"
#include "output.h"
#include "request.h"
#include "tls.h"
#include "when.h"

static struct dk_agent agent;

/* --hook-user and --hook-debounce: set on the hooks after dk_agent_init. */
static const char *hook_user;
static struct dk_port_cred hook_cred;
static uint32_t hook_groups[DK_HOOK_GROUPS_MAX];
static int64_t debounce_min_ms, debounce_max_ms;

static const char usage_text[] =
"usage: dockev [OPTIONS]\n"
"Watch a Docker Engine's events and react to them.\n"
"\n"
"  -H, --host URL        engine: unix:///path, tcp://host[:port]; default\n"
"                        $DOCKER_HOST, else the docker context named by\n"
"                        $DOCKER_CONTEXT or by currentContext in\n"
"                        $DOCKER_CONFIG/config.json (~/.docker), else\n"
"                        " DK_DEFAULT_HOST "\n"
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
"      --hook-user USER[:GROUP]\n"
"                        run hooks as USER with its groups (GROUP, a name or\n"
"                        id, replaces its primary group); needs root unless\n"
"                        USER is the agent's own\n"
"      --hook-debounce MIN[:MAX]\n"
"                        per script directory and actor, run a burst's\n"
"                        hooks once with its last event, MIN after the last\n"
"                        event, at most MAX (default 10 x MIN, at most 5m)\n"
"                        after the first; DOCKEV_DEBOUNCED counts the events\n"
"      --tls             use TLS to a tcp:// engine without verifying it\n"
"                        (warns at each connect; default port 2376; also\n"
"                        when $DOCKER_TLS is not empty)\n"
"      --tlsverify       use TLS and verify the engine: chain against the CA,\n"
"                        dates, host name or IP address (also when\n"
"                        $DOCKER_TLS_VERIFY is not empty)\n"
"      --tlscacert F     CA certificate (default $DOCKER_CERT_PATH/ca.pem)\n"
"      --tlscert F       client certificate (default $DOCKER_CERT_PATH/cert.pem\n"
"                        when it exists; DOCKER_CERT_PATH defaults to ~/.docker)\n"
"      --tlskey F        client key (default $DOCKER_CERT_PATH/key.pem)\n"
"      --state FILE      keep the resume point in FILE (written at most every\n"
"                        5 s and at exit) and resume there after a restart\n"
"      --snapshot        at the first connect and after every resync, the\n"
"                        engine's containers, networks and volumes as events\n"
"                        (Action \"exists\") between dockev snapshot-start and\n"
"                        snapshot-end, before the events since (README)\n"
"      --mqtt URL        publish every event (its JSON as received) to an MQTT\n"
"                        broker at QoS 1: mqtt://host[:1883], mqtts://host[:8883]\n"
"      --mqtt-id ID      client id, and {id} in topics (default the host name)\n"
"      --mqtt-user NAME  user name; the password from --mqtt-password-file FILE\n"
"                        or $DOCKEV_MQTT_PASSWORD, never from the command line\n"
"      --mqtt-password-file FILE\n"
"                        the broker password: the file's first line\n"
"      --mqtt-topic T    topic template (default dockev/{id}/{type}/{action},\n"
"                        the base action); retained status on dockev/ID/status\n"
"      --mqtt-cacert F   CA certificate that verifies an mqtts:// broker\n"
"      --mqtt-cert F     client certificate for mqtts://\n"
"      --mqtt-key F      client key for mqtts://\n"
"  -v, --verbose         more log lines (requests)\n"
"  -q, --quiet           log errors only\n"
"      --syslog          log to syslog (daemon facility) instead of stderr\n"
"      --version         print the version and exit\n"
"  -h, --help            print this help and exit\n"
"\n"
"Output: events on stdout (one line each, or JSON with --json, which prints\n"
"only the engine's events); synthetic events of type \"dockev\" (connect,\n"
"disconnect, resync when events may have been lost) go to handlers, hooks\n"
"and the one-line output, and with --snapshot to --json too, marked with a\n"
"first member \"dockev\":true.\n"
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
"         (DOCKEV_DEBOUNCED=N with --hook-debounce)\n"
"One actor's events run their hooks in order; a full queue skips an event's\n"
"hooks (logged, counted); a timeout kills the script's process group.\n"
"Diagnostics on stderr or syslog. SIGUSR1 logs counters.\n"
"Exit: 0 at --until or on SIGINT/SIGTERM/SIGHUP, 1 configuration error, 2 usage.\n";

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
	/* pflag reads "-Hvalue" and "-H=value" alike. */
	if (s && strncmp(a, s, 2) == 0 && a[2] && a[1] != '-')
		return a + 2 + (a[2] == '=');
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

/* -f KEY=VALUE as the docker CLI reads it (filters.ParseFlag): the key
 * trimmed and lower-cased, the value trimmed. The normalised copies live
 * in filter_pool; together they are shorter than the filters JSON, whose
 * bound says the same thing at start. */
static char filter_pool[DK_FILTERS_MAX];
static size_t filter_used;

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static const char *filter_arg(const char *a)
{
	const char *eq = strchr(a, '='), *k = a, *ke, *v, *ve;
	char *out = filter_pool + filter_used;
	size_t n = 0;

	if (!eq)
		return a; /* dk_filter_build says what is wrong with it */
	for (ke = eq; k < ke && space(*k); k++)
		;
	while (ke > k && space(ke[-1]))
		ke--;
	for (v = eq + 1; *v && space(*v); v++)
		;
	for (ve = v + strlen(v); ve > v && space(ve[-1]); ve--)
		;
	if ((size_t)(ke - k) + (size_t)(ve - v) + 2 > sizeof filter_pool - filter_used)
		usage_error("filters too long: their JSON is over %d bytes",
		            DK_FILTERS_MAX);
	for (; k < ke; k++)
		out[n++] = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
	out[n++] = '=';
	memcpy(out + n, v, (size_t)(ve - v));
	n += (size_t)(ve - v);
	out[n++] = '\0';
	filter_used += n;
	return out;
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

/* --hook-debounce MIN[:MAX]; MAX defaults to 10 x MIN, capped. */
static void parse_debounce(const char *v)
{
	char part[2][32];
	const char *c = strchr(v, ':');
	size_t n = c ? (size_t)(c - v) : strlen(v);

	if (n == 0 || n >= sizeof part[0] || (c && (!c[1] || strchr(c + 1, ':') ||
	    strlen(c + 1) >= sizeof part[1])))
		usage_error("bad --hook-debounce '%s': want MIN[:MAX]", v);
	memcpy(part[0], v, n);
	part[0][n] = '\0';
	debounce_min_ms = duration_ms(part[0], "--hook-debounce");
	if (c) {
		memcpy(part[1], c + 1, strlen(c + 1) + 1);
		debounce_max_ms = duration_ms(part[1], "--hook-debounce");
	} else {
		debounce_max_ms = debounce_min_ms > DK_HOOK_DEBOUNCE_CAP_MS / 10
		                  ? DK_HOOK_DEBOUNCE_CAP_MS : debounce_min_ms * 10;
		if (debounce_max_ms < debounce_min_ms)
			debounce_max_ms = debounce_min_ms;
	}
	if (debounce_min_ms < 1 || debounce_max_ms < debounce_min_ms ||
	    debounce_max_ms > 86400000)
		usage_error("bad --hook-debounce '%s': need 0 < MIN <= MAX <= 24h", v);
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
		} else if (strcmp(a, "--snapshot") == 0) {
			o->snapshot = 1;
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
			/* One events stream, one engine: the docker CLI
			 * refuses several -H as well. */
			if (o->host)
				usage_error("-H given twice ('%s', '%s'): dockev "
				            "watches one engine; run one dockev per "
				            "engine", o->host, v);
			o->host = v;
		} else if ((v = opt_value(argc, argv, &i, "-f", "--filter"))) {
			if (!*v)
				continue; /* the CLI adds nothing for -f "" */
			if (o->nfilters == DK_FILTER_ARGS_MAX)
				usage_error("too many filters (at most %d)",
				            DK_FILTER_ARGS_MAX);
			o->filters[o->nfilters++] = filter_arg(v);
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
			if (dk_request_version_cmp(v, DK_API_VERSION_OLDEST) < 0)
				usage_error("--api-version %s: no engine serves an API "
				            "version below %s", v, DK_API_VERSION_OLDEST);
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
		} else if ((v = opt_value(argc, argv, &i, NULL, "--hook-user"))) {
			if (!*v || *v == ':' || v[strlen(v) - 1] == ':')
				usage_error("bad --hook-user '%s': want USER or "
				            "USER:GROUP", v);
			hook_user = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--hook-debounce"))) {
			parse_debounce(v);
		} else if ((v = opt_value(argc, argv, &i, NULL, "--state"))) {
			if (!*v)
				usage_error("bad --state '%s': want a file", v);
			o->state_file = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--mqtt"))) {
			o->mqtt_url = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--mqtt-id"))) {
			o->mqtt_id = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--mqtt-user"))) {
			o->mqtt_user = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--mqtt-password-file"))) {
			o->mqtt_password_file = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--mqtt-topic"))) {
			o->mqtt_topic = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--mqtt-cacert"))) {
			o->mqtt_ca = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--mqtt-cert"))) {
			o->mqtt_cert = v;
		} else if ((v = opt_value(argc, argv, &i, NULL, "--mqtt-key"))) {
			o->mqtt_key = v;
		} else if (strncmp(a, "--mqtt-password", 15) == 0 &&
		           (a[15] == '\0' || a[15] == '=')) {
			/* Every user of the host can read a command line. */
			usage_error("no --mqtt-password: a password on the command "
			            "line is readable by every user; give "
			            "--mqtt-password-file FILE or DOCKEV_MQTT_PASSWORD");
		} else if (a[0] == '-') {
			usage_error("unknown option '%s'", a);
		} else {
			usage_error("unexpected argument '%s'", a);
		}
	}
}

/* ---- the engine, as the docker CLI finds it --------------------------------
 * cli/command/cli.go resolveContextName: -H, else DOCKER_HOST, else the
 * context DOCKER_CONTEXT names, else config.json's currentContext, else
 * the default context ("default": -H / DOCKER_HOST / the default socket,
 * with --tls* and DOCKER_TLS*). A named context's endpoint and TLS come
 * from the context store alone (cli/context/docker/load.go); the --tls*
 * options and DOCKER_TLS* do not apply to it. */

static char config_dir[DK_CONFIG_PATH_MAX];
static char ctx_file[DK_CONTEXT_FILE_MAX];  /* config.json, then meta.json */
static char ctx_name[DK_CONTEXT_NAME_MAX];
static char ctx_meta[DK_CONFIG_PATH_MAX];   /* the meta.json looked at */
static struct dk_context_ep ctx_ep;
static const char *ctx_used;                /* the named context in use */
static const char *ctx_from;                /* what named it */
static char ctx_from_buf[DK_CONFIG_PATH_MAX + 32];
static char tls_paths[3][DK_TLS_PATH_MAX];

/* config.Dir(): $DOCKER_CONFIG, else ~/.docker with the home from $HOME or,
 * when that is unset or empty, the password database, else (as the CLI,
 * whose home is then "") .docker in the working directory. 0, or -1
 * logged. */
static int find_config_dir(void)
{
	const char *env = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char pw_home[DK_CONFIG_PATH_MAX];
	int n;

	if (config_dir[0])
		return 0;
	if (env && *env) {
		n = snprintf(config_dir, sizeof config_dir, "%s", env);
	} else {
		if ((!home || !*home) && dk_port_home(pw_home, sizeof pw_home) > 0) {
			home = pw_home;
		} else if (!home || !*home) {
			dk_port_log(DK_LOG_DEBUG, "HOME is not set and the password "
			            "database gives no home (%s): .docker here",
			            dk_port_errstr());
			home = "";
		}
		n = snprintf(config_dir, sizeof config_dir, "%s%s.docker", home,
		             *home ? "/" : "");
	}
	if (n < 0 || n >= (int)sizeof config_dir) {
		config_dir[0] = '\0';
		dk_port_log(DK_LOG_ERR, "DOCKER_CONFIG or HOME longer than %d bytes",
		            DK_CONFIG_PATH_MAX - 16);
		return -1;
	}
	return 0;
}

/* path into ctx_file: its length (0 when missing), or -1 logged. */
static long read_config_file(const char *path, const char *what)
{
	long n = dk_port_file_read(path, ctx_file, sizeof ctx_file);

	if (n == DK_ERR_NOSPACE)
		dk_port_log(DK_LOG_ERR, "%s%s: larger than %d bytes "
		            "(DK_CONTEXT_FILE_MAX)", what, path, DK_CONTEXT_FILE_MAX);
	else if (n < 0)
		dk_port_log(DK_LOG_ERR, "%s%s: %s", what, path, dk_port_errstr());
	return n < 0 ? -1 : n;
}

/* The context's name from DOCKER_CONTEXT or currentContext into *name,
 * NULL when neither names one. 0, or -1 logged. */
static int context_name(const char **name)
{
	const char *env = getenv("DOCKER_CONTEXT");
	char path[DK_CONFIG_PATH_MAX];
	long n, r;

	*name = NULL;
	if (env && *env) {
		ctx_from = "DOCKER_CONTEXT";
		*name = env;
		return 0;
	}
	if (find_config_dir() || snprintf(path, sizeof path, "%s/config.json",
	                                  config_dir) >= (int)sizeof path) {
		if (config_dir[0])
			dk_port_log(DK_LOG_ERR, "%s/config.json: path too long",
			            config_dir);
		return -1;
	}
	if ((n = read_config_file(path, "")) < 0)
		return -1;
	r = dk_context_current(ctx_file, (size_t)n, ctx_name, sizeof ctx_name);
	if (r < 0) {
		dk_port_log(DK_LOG_ERR, "%s: %s", path, r == DK_ERR_NOSPACE
		            ? "currentContext too long (DK_CONTEXT_NAME_MAX) or "
		              "holds a NUL" : r == DK_ERR_CONFIG_TYPE
		            ? "currentContext is not a string" : dk_strerror((int)r));
		return -1;
	}
	snprintf(ctx_from_buf, sizeof ctx_from_buf, "currentContext in %s", path);
	ctx_from = ctx_from_buf;
	*name = r > 0 ? ctx_name : NULL;
	return 0;
}

/* A context named by DOCKER_CONTEXT or currentContext: its Host into
 * o->host, its TLS into o->tls/o->tls_verify and tls_paths. 0 (also for
 * the default context), or -1 logged. */
static int use_context(struct dk_opts *o)
{
	const char *name;
	char dir[DK_CONFIG_PATH_MAX];
	long n;
	int r, has_tls;

	if (context_name(&name))
		return -1;
	if (!name || strcmp(name, DK_CONTEXT_DEFAULT) == 0)
		return 0;
	if (find_config_dir())
		return -1;
	if (dk_context_meta_path(ctx_meta, sizeof ctx_meta, config_dir, name) ||
	    dk_context_tls_path(dir, sizeof dir, config_dir, name, "")) {
		dk_port_log(DK_LOG_ERR, "context '%s': path under %s too long",
		            name, config_dir);
		return -1;
	}
	if ((n = read_config_file(ctx_meta, "context: ")) < 0)
		return -1;
	if (n == 0 && dk_port_mtime(ctx_meta) < 0) {
		dk_port_log(DK_LOG_ERR, "unknown context '%s' (from %s): no %s "
		            "(docker context ls lists the contexts)", name, ctx_from,
		            ctx_meta);
		return -1;
	}
	r = dk_context_endpoint(ctx_file, (size_t)n, &ctx_ep);
	if (r != DK_OK) {
		dk_port_log(DK_LOG_ERR, "context '%s': %s: %s%s", name, ctx_meta,
		            r == DK_ERR_NOSPACE ? "Endpoints.docker.Host too long "
		            "(DK_CONTEXT_HOST_MAX) or holds a NUL" : dk_strerror(r),
		            r == DK_ERR_CONFIG_TYPE ? " (Name and Host are strings, "
		            "SkipTLSVerify a boolean, Endpoints and its docker "
		            "objects)" : "");
		return -1;
	}
	if (o->tls || o->tls_ca || o->tls_cert || o->tls_key)
		dk_port_log(DK_LOG_WARN, "context '%s': --tls, --tlsverify and "
		            "--tlscacert/--tlscert/--tlskey do not apply to a "
		            "context (as with the docker CLI): its TLS files are "
		            "in %s", name, dir);
	/* Files in the store's TLS directory, or SkipTLSVerify, mean TLS;
	 * verified unless SkipTLSVerify, with ca.pem, and cert.pem with key.pem
	 * when both are there (cli/context/docker/load.go tlsConfig). */
	has_tls = dk_port_mtime(dir) >= 0;
	o->tls = has_tls || ctx_ep.skip_tls_verify;
	o->tls_verify = o->tls && !ctx_ep.skip_tls_verify;
	o->tls_ca = o->tls_cert = o->tls_key = NULL;
	if (has_tls) {
		if (dk_context_tls_path(tls_paths[0], DK_TLS_PATH_MAX, config_dir,
		                        name, "ca.pem") ||
		    dk_context_tls_path(tls_paths[1], DK_TLS_PATH_MAX, config_dir,
		                        name, "cert.pem") ||
		    dk_context_tls_path(tls_paths[2], DK_TLS_PATH_MAX, config_dir,
		                        name, "key.pem"))
			return -1; /* cannot be: dir fit and these are as long */
		if (dk_port_mtime(tls_paths[0]) >= 0)
			o->tls_ca = tls_paths[0];
		if (dk_port_mtime(tls_paths[1]) >= 0 &&
		    dk_port_mtime(tls_paths[2]) >= 0) {
			o->tls_cert = tls_paths[1];
			o->tls_key = tls_paths[2];
		}
	}
	/* An empty Host is the client's default socket. */
	o->host = ctx_ep.host[0] ? ctx_ep.host : NULL;
	ctx_used = name;
	return 0;
}

/* Where the engine is: -H, DOCKER_HOST, a context, or the default; the
 * TLS environment for the default context. 0, or -1 logged. */
static int find_engine(struct dk_opts *o)
{
	const char *env, *dc = getenv("DOCKER_CONTEXT");

	if (!o->host && (env = getenv("DOCKER_HOST")) && *env) {
		o->host = env;
		/* The CLI lets DOCKER_HOST win silently here and warns in
		 * `docker context use` and `docker context ls`. */
		if (dc && *dc && strcmp(dc, DK_CONTEXT_DEFAULT) != 0)
			dk_port_log(DK_LOG_WARN, "DOCKER_HOST overrides "
			            "DOCKER_CONTEXT=%s, as with the docker CLI: unset "
			            "DOCKER_HOST to use the context", dc);
	}
	if (!o->host && use_context(o))
		return -1;
	if (ctx_used)
		return 0;
	/* cli/flags/options.go: DOCKER_TLS_VERIFY means --tlsverify and
	 * DOCKER_TLS means --tls, when not empty. */
	if ((env = getenv("DOCKER_TLS_VERIFY")) && *env)
		o->tls = o->tls_verify = 1;
	if ((env = getenv("DOCKER_TLS")) && *env)
		o->tls = 1;
	return 0;
}

/* ---- TLS files, as the docker CLI finds them ------------------------------ */

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

/* A context's files are those use_context found. Otherwise the options,
 * else $DOCKER_CERT_PATH (default config.Dir(): $DOCKER_CONFIG or
 * ~/.docker): with --tlsverify the CA must exist; a client certificate and
 * key given as options must exist, the default ones are used only when
 * both do; with --tls alone the CA is not used. Then load them. */
static int tls_setup(struct dk_opts *o)
{
	const char *dir = getenv("DOCKER_CERT_PATH");
	const char *ca = o->tls_ca, *cert = o->tls_cert, *key = o->tls_key;
	char why[DK_TLS_PATH_MAX + 128];

	if (ctx_used) {
		/* Go verifies against the system's roots when ca.pem is
		 * missing; dockev's TLS knows only a CA file. */
		if (o->tls_verify && !ca) {
			dk_port_log(DK_LOG_ERR, "context '%s': no ca.pem in its TLS "
			            "files (%s): dockev verifies the engine against a "
			            "CA file only (the docker CLI would use the system's "
			            "CAs); add ca.pem, or set SkipTLSVerify", ctx_used,
			            tls_paths[0]);
			return -1;
		}
	} else {
		if (!dir || !*dir) {
			if (find_config_dir())
				return -1;
			dir = config_dir;
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
			dk_port_log(DK_LOG_ERR, "TLS: --tlscert and --tlskey go "
			            "together (a client certificate and its key)");
			return -1;
		}
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

/* DOCKER_API_VERSION as the CLI's client reads it (moby client
 * WithAPIVersionFromEnv): white space around it and one leading 'v'
 * dropped; nothing left means negotiate. NULL for that, else the version
 * (checked by the caller). */
static const char *env_api_version(const char *env)
{
	static char v[32];
	size_t n;

	while (*env == ' ' || *env == '\t' || *env == '\n' || *env == '\r')
		env++;
	if (*env == 'v')
		env++;
	n = strlen(env);
	while (n > 0 && (env[n - 1] == ' ' || env[n - 1] == '\t' ||
	                 env[n - 1] == '\n' || env[n - 1] == '\r'))
		n--;
	if (n == 0)
		return NULL;
	if (n >= sizeof v)
		n = sizeof v - 1; /* too long to be valid: refused whole below */
	memcpy(v, env, n);
	v[n] = '\0';
	return v;
}

/* ---- --mqtt --------------------------------------------------------------- */

#if DK_MQTT
static char mqtt_pass[DK_MQTT_PASS_MAX + 2];
static char mqtt_host[DK_MQTT_ID_MAX + 2];

/* The first line of a small file (a password, the host name), without its
 * line end. Returns its length, or -1 (logged) when it cannot be read. */
static long first_line(const char *path, char *buf, size_t cap, const char *what)
{
	long n = dk_port_file_read(path, buf, cap - 1);
	char *nl;

	if (n < 0) {
		dk_port_log(DK_LOG_ERR, "%s %s: cannot read: %s", what, path,
		            n == DK_ERR_NOSPACE ? "longer than dockev takes"
		            : dk_port_errstr());
		return -1;
	}
	buf[n] = '\0';
	if ((nl = strpbrk(buf, "\r\n")))
		*nl = '\0';
	return (long)strlen(buf);
}

/* --mqtt: the broker, the client id, the credentials, TLS. Returns 0, or
 * -1 with one line logged (a configuration error). */
static int mqtt_setup(struct dk_opts *o)
{
	struct dk_endpoint ep;
	const char *why, *id = o->mqtt_id, *pass = NULL, *env;
	char twhy[DK_TLS_PATH_MAX + 128];

	if (dk_mqttc_url(&ep, o->mqtt_url, &why) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "bad --mqtt URL '%s': %s", o->mqtt_url, why);
		return -1;
	}
	if (o->mqtt_topic && dk_mqttc_template_ok(o->mqtt_topic) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "bad --mqtt-topic '%s': want text with "
		            "{id}, {type}, {action}, no '+' or '#', at most %d "
		            "bytes", o->mqtt_topic, DK_MQTT_TOPIC_MAX);
		return -1;
	}
	if (!id) {
		/* gethostname(2) reads the same on Linux. */
		if (first_line("/proc/sys/kernel/hostname", mqtt_host,
		               sizeof mqtt_host, "host name") <= 0)
			snprintf(mqtt_host, sizeof mqtt_host, "dockev");
		id = mqtt_host;
	}
	if (o->mqtt_password_file) {
		if (first_line(o->mqtt_password_file, mqtt_pass, sizeof mqtt_pass,
		               "--mqtt-password-file") < 0)
			return -1;
		pass = mqtt_pass;
	} else if ((env = getenv("DOCKEV_MQTT_PASSWORD"))) {
		pass = env;
	}
	if (pass && !o->mqtt_user) {
		dk_port_log(DK_LOG_ERR, "--mqtt: a password without --mqtt-user "
		            "(MQTT 3.1.1 sends a password only with a user name)");
		return -1;
	}
	if (dk_mqttc_init(&agent.mq, o->mqtt_url, id, o->mqtt_user, pass,
	                  o->mqtt_topic, o->backoff_min_ms, o->backoff_max_ms,
	                  o->backoff_reset_ms) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "--mqtt: bad client id '%s', user or "
		            "password (an id is one topic level: no '/', '+', "
		            "'#'; at most %d bytes; a user or password at most %d)",
		            id, DK_MQTT_ID_MAX, DK_MQTT_PASS_MAX);
		return -1;
	}
	if (!ep.tls) {
		if (o->mqtt_ca || o->mqtt_cert || o->mqtt_key) {
			dk_port_log(DK_LOG_ERR, "--mqtt-cacert, --mqtt-cert and "
			            "--mqtt-key are for an mqtts:// broker");
			return -1;
		}
		return 0;
	}
	if (!dk_tls_backend()) {
		dk_port_log(DK_LOG_ERR, "--mqtt %s: dockev was built without TLS "
		            "(TLS=none); rebuild with TLS=mbedtls", o->mqtt_url);
		return -1;
	}
	/* The TLS port holds one configuration: the engine's, when it has
	 * one, serves the broker too. */
	if (agent.ep.tls) {
		if (o->mqtt_ca || o->mqtt_cert || o->mqtt_key) {
			dk_port_log(DK_LOG_ERR, "--mqtt %s: TLS files of its own "
			            "(--mqtt-cacert, --mqtt-cert, --mqtt-key) with a TLS "
			            "engine are not supported yet: the engine's TLS "
			            "files are used for both", o->mqtt_url);
			return -1;
		}
		return 0;
	}
	if (!o->mqtt_ca) {
		dk_port_log(DK_LOG_ERR, "--mqtt %s: give --mqtt-cacert: dockev "
		            "verifies a broker against a CA file", o->mqtt_url);
		return -1;
	}
	if (!o->mqtt_cert != !o->mqtt_key) {
		dk_port_log(DK_LOG_ERR, "--mqtt-cert and --mqtt-key go together");
		return -1;
	}
	if (dk_tls_setup(1, o->mqtt_ca, o->mqtt_cert, o->mqtt_key, twhy,
	                 sizeof twhy) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "--mqtt: %s", twhy);
		dk_tls_free();
		return -1;
	}
	return 0;
}
#else
static int mqtt_setup(struct dk_opts *o)
{
	dk_port_log(DK_LOG_ERR, "--mqtt %s: dockev was built without MQTT "
	            "(MQTT=none); rebuild without it", o->mqtt_url);
	return -1;
}
#endif

int main(int argc, char **argv)
{
	struct dk_opts *o = &agent.opts;
	const char *env, *why;
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
	if (!o->mqtt_url && (o->mqtt_id || o->mqtt_user || o->mqtt_topic ||
	                     o->mqtt_password_file || o->mqtt_ca ||
	                     o->mqtt_cert || o->mqtt_key))
		usage_error("the --mqtt-* options need --mqtt URL");

	/* Filters are checked here so that a bad key is a usage error. */
	r = dk_filter_build(agent.filters, sizeof agent.filters, o->filters,
	                    o->nfilters, &bad);
	if (r == DK_ERR_NOSPACE)
		usage_error("filters too long: their JSON is over %d bytes",
		            DK_FILTERS_MAX);
	if (r < 0)
		usage_error("bad filter '%s': want KEY=VALUE with a docker "
		            "events filter key", bad >= 0 ? o->filters[bad] : "");

	dk_port_log_open(o->use_syslog, o->verbosity < 0 ? DK_LOG_ERR
	                 : o->verbosity > 0 ? DK_LOG_DEBUG : DK_LOG_INFO);

	/* The environment, as the docker CLI reads it. */
	if (find_engine(o))
		return 1;
	if (!o->api_version && (env = getenv("DOCKER_API_VERSION")) &&
	    (o->api_version = env_api_version(env)) &&
	    dk_request_version_valid(o->api_version) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "bad DOCKER_API_VERSION '%s': want like "
		            "1.41 (or v1.41)", env);
		return 1;
	}
	if (o->api_version &&
	    dk_request_version_cmp(o->api_version, DK_API_VERSION_OLDEST) < 0) {
		dk_port_log(DK_LOG_ERR, "API version %s (DOCKER_API_VERSION): no "
		            "engine serves an API version below %s",
		            o->api_version, DK_API_VERSION_OLDEST);
		return 1;
	}

	r = dk_endpoint_parse_why(&agent.ep, o->host, o->tls, &why);
	if (r != DK_OK) {
		if (ctx_used)
			dk_port_log(DK_LOG_ERR, "context '%s' (%s): bad engine URL "
			            "'%s': %s", ctx_used, ctx_meta, o->host, why);
		else
			dk_port_log(DK_LOG_ERR, "bad engine URL '%s': %s",
			            o->host ? o->host : DK_DEFAULT_HOST, why);
		return 1;
	}
	if (ctx_used)
		dk_port_log(DK_LOG_DEBUG, "context '%s' (from %s): %s%s", ctx_used,
		            ctx_from, agent.ep.url, agent.ep.tls ? (o->tls_verify
		            ? ", TLS verified" : ", TLS not verified") : "");
	if (agent.ep.tls && !dk_tls_backend()) {
		if (ctx_used)
			dk_port_log(DK_LOG_ERR, "context '%s' uses TLS but dockev was "
			            "built without TLS (TLS=none); rebuild with "
			            "TLS=mbedtls", ctx_used);
		else
			dk_port_log(DK_LOG_ERR, "TLS asked for (--tls, --tlsverify, "
			            "DOCKER_TLS_VERIFY or DOCKER_TLS) but dockev was "
			            "built without TLS (TLS=none); rebuild with "
			            "TLS=mbedtls");
		return 1;
	}
	if (o->hooks_dir && dk_hook_check_dir(o->hooks_dir) != DK_OK)
		return 1;
	/* Resolved once, here: a name that does not resolve is a
	 * configuration error, not a failure at each hook. */
	if (hook_user) {
		char uwhy[160];
		int u = dk_port_user_lookup(hook_user, &hook_cred, hook_groups,
		                            DK_HOOK_GROUPS_MAX, uwhy, sizeof uwhy);
		if (u < 0) {
			dk_port_log(DK_LOG_ERR, "--hook-user %s: %s%s", hook_user,
			            uwhy, u == DK_ERR_NOSPACE ?
			            " (DK_HOOK_GROUPS_MAX)" : "");
			return 1;
		}
		if (u == 0) {
			dk_port_log(DK_LOG_DEBUG, "--hook-user %s: the agent's own "
			            "user; hooks run as the agent does", hook_user);
			hook_user = NULL;
		}
	}
	if ((r = dk_agent_init(&agent)) != DK_OK) {
		dk_port_log(DK_LOG_ERR, "%s", dk_strerror(r));
		return 1;
	}
	dk_hook_user(&agent.hooks, hook_user ? &hook_cred : NULL);
	dk_hook_debounce(&agent.hooks, debounce_min_ms, debounce_max_ms);
	if (dk_agent_state_load(&agent) != DK_OK)
		return 1;
	/* Late, so that only the next exit must unload it. */
	if (agent.ep.tls && tls_setup(o) != 0)
		return 1;
	if (o->mqtt_url && mqtt_setup(o) != 0) {
		dk_tls_free();
		return 1;
	}
	if (dk_port_signals_init() != DK_OK) {
		dk_port_log(DK_LOG_ERR, "cannot install signal handlers");
		dk_tls_free();
		return 1;
	}
	/* Events go out through output.c's buffer, never blocking (stdio's
	 * stdout carries only --help and --version). */
	if (dk_output_init(1) != DK_OK)
		dk_port_log(DK_LOG_WARN, "stdout: %s: written blocking",
		            dk_port_errstr());
	r = dk_agent_run(&agent);
	dk_output_restore();
	dk_tls_free();
	if (o->verbosity > 0)
		dk_agent_log_counters(&agent);
	return r;
}
