/* test_hookenv.c - the hook environment (policy/hookenv.c) for recorded
 * and hostile events: DOCKEV_* variables, attribute names and their
 * collisions, values cut or left out, the agent's own variables. */
#include "t.h"
#include "hookenv.h"
#include "err.h"

static struct dk_event ev;
static struct dk_hookenv env;

static const char *get(const char *name)
{
	size_t n = strlen(name);
	int i;
	for (i = 0; i < env.n; i++)
		if (strncmp(env.vars[i], name, n) == 0 && env.vars[i][n] == '=')
			return env.vars[i] + n + 1;
	return NULL;
}

static int parse(const char *s)
{
	return dk_event_parse(&ev, s, strlen(s));
}

static void recorded(void)
{
	char *base[] = { "PATH=/usr/bin:/bin", "DOCKEV_TYPE=spoofed", "HOME=/root",
	                 "DOCKEV_NOTIFY_URL=http://x", "DOCKEV_ATTR_STALE=1", NULL };
	const char *v;

	T_EQ(parse("{\"status\":\"health_status: unhealthy\",\"Type\":\"container\","
	           "\"Action\":\"health_status: unhealthy\",\"Actor\":{\"ID\":\"ac4cbf\","
	           "\"Attributes\":{\"com.docker.compose.project\":\"shop\",\"exitCode\":\"3\","
	           "\"image\":\"tiny:1\",\"name\":\"c4\"}},\"scope\":\"local\","
	           "\"time\":1795792678,\"timeNano\":1795792678638299418}"), DK_OK, "parse");
	dk_hookenv_build(&env, &ev, "unix:///run/docker.sock", base);
	T_OK(get("PATH") && strcmp(get("PATH"), "/usr/bin:/bin") == 0, "the agent's own env");
	T_OK((v = get("DOCKEV_TYPE")) && strcmp(v, "container") == 0,
	     "DOCKEV_TYPE, not the agent's own DOCKEV_TYPE");
	T_OK((v = get("DOCKEV_NOTIFY_URL")) && strcmp(v, "http://x") == 0,
	     "the agent's own settings named DOCKEV_* pass");
	T_OK(get("DOCKEV_ATTR_STALE") == NULL, "a stale DOCKEV_ATTR_* of the agent's does not");
	T_OK((v = get("DOCKEV_ACTION")) && strcmp(v, "health_status") == 0, "DOCKEV_ACTION base");
	T_OK((v = get("DOCKEV_ACTION_DETAIL")) && strcmp(v, "unhealthy") == 0, "DOCKEV_ACTION_DETAIL");
	T_OK((v = get("DOCKEV_ID")) && strcmp(v, "ac4cbf") == 0, "DOCKEV_ID");
	T_OK((v = get("DOCKEV_NAME")) && strcmp(v, "c4") == 0, "DOCKEV_NAME");
	T_OK((v = get("DOCKEV_IMAGE")) && strcmp(v, "tiny:1") == 0, "DOCKEV_IMAGE");
	T_OK((v = get("DOCKEV_SCOPE")) && strcmp(v, "local") == 0, "DOCKEV_SCOPE");
	T_OK((v = get("DOCKEV_TIME")) && strcmp(v, "1795792678") == 0, "DOCKEV_TIME as sent");
	T_OK((v = get("DOCKEV_TIME_NANO")) && strcmp(v, "1795792678638299418") == 0,
	     "DOCKEV_TIME_NANO as sent");
	T_OK((v = get("DOCKEV_HOST")) && strcmp(v, "unix:///run/docker.sock") == 0, "DOCKEV_HOST");
	T_OK((v = get("DOCKEV_ATTR_COM_DOCKER_COMPOSE_PROJECT")) && strcmp(v, "shop") == 0,
	     "attribute names upper-cased, dots as _");
	T_OK((v = get("DOCKEV_ATTR_EXITCODE")) && strcmp(v, "3") == 0, "DOCKEV_ATTR_EXITCODE");
	T_EQ(env.notes[0], 0, "nothing cut");
	T_OK(env.vars[env.n] == NULL, "NULL-terminated");
	T_OK(get("DOCKEV_SYNTHETIC") == NULL, "an engine event has no DOCKEV_SYNTHETIC");
	{
		char *forged[] = { "DOCKEV_SYNTHETIC=1", NULL };
		T_EQ(parse("{\"Type\":\"dockev\",\"Action\":\"connect\"}"), DK_OK, "parse");
		dk_hookenv_build(&env, &ev, "h", forged);
		T_OK(get("DOCKEV_SYNTHETIC") == NULL,
		     "nor an engine's Type dockev, whatever the agent's environment holds");
		ev.synthetic = 1;
		dk_hookenv_build(&env, &ev, "h", forged);
		T_OK((v = get("DOCKEV_SYNTHETIC")) && strcmp(v, "1") == 0,
		     "DOCKEV_SYNTHETIC=1 for the agent's own events");
	}

	T_EQ(parse("{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"\","
	           "\"Attributes\":{}}}"), DK_OK, "podman-like event");
	dk_hookenv_build(&env, &ev, "h", NULL);
	T_OK((v = get("DOCKEV_NAME")) && !*v, "no name attribute: empty DOCKEV_NAME");
	T_OK((v = get("DOCKEV_ACTION_DETAIL")) && !*v, "no detail: empty");
	T_OK((v = get("DOCKEV_TIME")) && !*v, "no time: empty");
}

static void hostile(void)
{
	static char rec[200000];
	const char *v;
	size_t o;
	int i;

	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"x\","
	           "\"Attributes\":{\"name\":\"$(touch /tmp/PWNED); `id` \\\"q\\\" 'a'\\nb=c\","
	           "\"nul\":\"a\\u0000b\",\"we ird-Key\\u00e9\":\"v\"}}}"), DK_OK, "hostile event");
	dk_hookenv_build(&env, &ev, "h", NULL);
	T_OK((v = get("DOCKEV_NAME")) &&
	     strcmp(v, "$(touch /tmp/PWNED); `id` \"q\" 'a'\nb=c") == 0,
	     "shell syntax, quotes, newline and = arrive verbatim");
	T_OK(get("DOCKEV_ATTR_NUL") == NULL, "a value with a NUL byte is left out");
	T_OK(strstr(env.notes, "DOCKEV_ATTR_NUL left out (holds a NUL byte)") != NULL,
	     "and the notes say so: %s", env.notes);
	T_OK(get("DOCKEV_ATTR_WE_IRD_KEY_") != NULL, "each character outside A-Z0-9 of the unescaped key becomes _");

	o = (size_t)sprintf(rec, "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":"
	                    "{\"ID\":\"x\",\"Attributes\":{\"big\":\"");
	for (i = 0; i < 10000; i++)
		rec[o++] = 'a' + i % 26;
	o += (size_t)sprintf(rec + o, "\"}}}");
	T_EQ(dk_event_parse(&ev, rec, o), DK_OK, "10 KB attribute");
	dk_hookenv_build(&env, &ev, "h", NULL);
	T_EQ(strlen(get("DOCKEV_ATTR_BIG")), DK_HOOK_VALUE_MAX, "cut to DK_HOOK_VALUE_MAX");
	T_OK(strstr(env.notes, "DOCKEV_ATTR_BIG cut") != NULL, "the cut is noted");

	/* Many attributes: the environment stays bounded, and says so. */
	o = (size_t)sprintf(rec, "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":"
	                    "{\"ID\":\"x\",\"Attributes\":{");
	for (i = 0; i < 400; i++) {
		o += (size_t)sprintf(rec + o, "%s\"k%d\":\"", i ? "," : "", i);
		memset(rec + o, 'v', 300);
		o += 300;
		rec[o++] = '"';
	}
	o += (size_t)sprintf(rec + o, "}}}");
	T_EQ(dk_event_parse(&ev, rec, o), DK_OK, "400 attributes of 300 bytes");
	dk_hookenv_build(&env, &ev, "h", NULL);
	T_OK(env.n > 100 && env.n < 410, "the environment stops at DK_HOOK_ENV_BYTES (%d vars)", env.n);
	T_OK(strstr(env.notes, "(environment full)") != NULL, "noted: %s", env.notes);
}

/* How many variables are called name; and are all names different? */
static int count(const char *name)
{
	size_t n = strlen(name);
	int i, c = 0;
	for (i = 0; i < env.n; i++)
		c += strncmp(env.vars[i], name, n) == 0 && env.vars[i][n] == '=';
	return c;
}

static int names_unique(void)
{
	int i, j;
	for (i = 0; i < env.n; i++)
		for (j = i + 1; j < env.n; j++) {
			size_t a = strcspn(env.vars[i], "="), b = strcspn(env.vars[j], "=");
			if (a == b && memcmp(env.vars[i], env.vars[j], a) == 0) {
				printf("# twice: %.*s\n", (int)a, env.vars[i]);
				return 0;
			}
		}
	return 1;
}

/* Keys that map to one variable name give it once: the engine's key, then
 * a key in Docker's label form, then the first in the event. */
static void collisions(void)
{
	char *base[] = { "PATH=/bin", NULL };
	const char *v;

	/* Labels before the engine's own keys, as Go's sorted maps send
	 * upper case first; the engine's win wherever they are. */
	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"c\","
	           "\"Attributes\":{\"EXITCODE\":\"0\",\"COM.DOCKER.COMPOSE.PROJECT\":\"evil\","
	           "\"Name\":\"evil\",\"com.docker.compose.project\":\"shop\","
	           "\"com_docker_compose_project\":\"evil\",\"exitCode\":\"3\","
	           "\"exitcode\":\"1\",\"name\":\"web\",\"name\\u0000x\":\"nul\","
	           "\"A_B\":\"first\",\"a.b\":\"dotted\",\"X_Y\":\"first\",\"x_y\":\"second\"}}}"),
	     DK_OK, "colliding keys");
	dk_hookenv_build(&env, &ev, "h", base);
	T_EQ(count("DOCKEV_ATTR_EXITCODE"), 1, "exitCode, exitcode, EXITCODE: one DOCKEV_ATTR_EXITCODE");
	T_OK((v = get("DOCKEV_ATTR_EXITCODE")) && strcmp(v, "3") == 0,
	     "the engine's exitCode wins over labels before and after it (%s)", v ? v : "-");
	T_EQ(count("DOCKEV_ATTR_NAME"), 1, "name, Name: one DOCKEV_ATTR_NAME");
	T_OK((v = get("DOCKEV_ATTR_NAME")) && strcmp(v, "web") == 0, "the engine's name wins");
	T_OK((v = get("DOCKEV_ATTR_NAME_X")) && strcmp(v, "nul") == 0,
	     "name\\u0000x is DOCKEV_ATTR_NAME_X: a NUL in a key maps to _ like the rest");
	T_EQ(count("DOCKEV_ATTR_COM_DOCKER_COMPOSE_PROJECT"), 1, "three spellings of the compose label: one variable");
	T_OK((v = get("DOCKEV_ATTR_COM_DOCKER_COMPOSE_PROJECT")) && strcmp(v, "shop") == 0,
	     "the key in Docker's label form (lower case, dots) wins over the first");
	T_OK((v = get("DOCKEV_ATTR_A_B")) && strcmp(v, "dotted") == 0, "a.b wins over A_B before it");
	T_OK((v = get("DOCKEV_ATTR_X_Y")) && strcmp(v, "first") == 0, "X_Y and x_y (neither in label form): the first wins");
	T_OK(names_unique(), "every name once");
	T_EQ(env.notes[0], 0, "not noted: normal data (%s)", env.notes);

	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"c\","
	           "\"Attributes\":{\"name\":\"one\",\"name\":\"two\",\"nul\":\"a\\u0000\","
	           "\"NUL\":\"b\"}}}"), DK_OK, "a key twice; a winner left out");
	dk_hookenv_build(&env, &ev, "h", base);
	T_OK(count("DOCKEV_ATTR_NAME") == 1 && strcmp(get("DOCKEV_ATTR_NAME"), "one") == 0 &&
	     strcmp(get("DOCKEV_NAME"), "one") == 0, "the same key twice: the first, for DOCKEV_NAME too");
	T_OK(get("DOCKEV_ATTR_NUL") == NULL,
	     "the winner's value holds a NUL: left out, and the loser does not take its place");
}

/* The agent's own environment: its first DK_HOOK_OWN_VARS variables pass,
 * the rest are dropped and counted, and dk_hook_init says so once. */
static void own_env(void)
{
	static char vars[DK_HOOK_OWN_VARS + 50][32];
	static char *base[DK_HOOK_OWN_VARS + 52];
	const char *v;
	int i, n = 0;

	base[n++] = "DOCKEV_TYPE=stale"; /* ours: neither kept nor counted */
	for (i = 0; i < DK_HOOK_OWN_VARS + 50; i++) {
		snprintf(vars[i], sizeof vars[i], "V%d=%d", i, i);
		base[n++] = vars[i];
	}
	base[n] = NULL;
	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"x\","
	           "\"Attributes\":{\"name\":\"n\"}}}"), DK_OK, "event");
	dk_hookenv_build(&env, &ev, "h", base);
	T_OK(get("V0") && get("V255") && strcmp(get("V255"), "255") == 0,
	     "the first DK_HOOK_OWN_VARS of the agent's variables pass");
	T_OK(get("V256") == NULL && get("V305") == NULL, "the later ones do not");
	T_EQ(env.own_dropped, 50, "they are counted");
	T_OK((v = get("DOCKEV_TYPE")) && strcmp(v, "container") == 0 &&
	     get("DOCKEV_ATTR_NAME") && get("DOCKEV_HOST"),
	     "the event's variables are all there");
	T_EQ(env.notes[0], 0, "not a note per hook: %s", env.notes);
}

/* Which of the agent's variables are ours, and so never passed on. */
static void ours(void)
{
	T_OK(dk_hookenv_ours("DOCKEV_NAME=x") && dk_hookenv_ours("DOCKEV_HOST"),
	     "DOCKEV_NAME and DOCKEV_HOST are ours");
	T_OK(dk_hookenv_ours("DOCKEV_ATTR_ANYTHING=1"), "every DOCKEV_ATTR_ is ours");
	T_OK(!dk_hookenv_ours("DOCKEV_NAMES=x") && !dk_hookenv_ours("DOCKEV_NAM=x"),
	     "a longer or shorter name is not");
	T_OK(!dk_hookenv_ours("DOCKEV_NOTIFY_URL=http://x") && !dk_hookenv_ours("PATH=/bin"),
	     "a setting for the hooks is not");
}

int main(void)
{
	ours();
	recorded();
	hostile();
	collisions();
	own_env();
	return T_DONE();
}
