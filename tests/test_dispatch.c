/* test_dispatch.c - the handler table: NULL matches anything, Type exactly,
 * Action by its base or whole, table order, a non-zero result stops the
 * later handlers and is returned; the two built-in handlers' output. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "t.h"
#include "agent.h"
#include "dispatch.h"
#include "output.h"
#include "err.h"
#include "fakeport.h"

/* dispatch.o does not need it, but a binary that links agent.o would. */
const struct dk_handler dk_handlers[] = { { NULL, NULL, NULL } };

static struct dk_event ev;
static struct dk_opts opts;
static char calls[256];      /* handler letters, in call order */
static const struct dk_opts *seen_opts;
static const struct dk_event *seen_ev;

#define H(letter, ret) \
	static int h_##letter(const struct dk_event *e, const struct dk_opts *o) \
	{ \
		size_t n = strlen(calls); \
		calls[n] = #letter[0]; \
		calls[n + 1] = '\0'; \
		seen_ev = e; \
		seen_opts = o; \
		return ret; \
	}
H(a, 0) H(b, 0) H(c, 0) H(d, 0) H(e, 0) H(f, 0) H(g, 0) H(h, 0)
H(S, DK_HANDLER_STOP) H(E, -7) H(z, 0)

static int parse(const char *s)
{
	return dk_event_parse(&ev, s, strlen(s));
}

/* Dispatch the current event over table, return the letters called. */
static const char *run(const struct dk_handler *table, int *ret)
{
	calls[0] = '\0';
	*ret = dk_dispatch(table, &ev, &opts);
	return calls;
}

static void matching(void)
{
	static const struct dk_handler t[] = {
		{ NULL, NULL, h_a },                         /* any */
		{ "container", NULL, h_b },                  /* any container event */
		{ "contain", NULL, h_c },                    /* not a prefix match */
		{ "containers", NULL, h_d },                 /* nor longer */
		{ NULL, "health_status", h_e },              /* base action */
		{ "container", "health_status: healthy", h_f }, /* whole action */
		{ "container", "health_status: unhealthy", h_g },
		{ "network", "health_status", h_h },         /* wrong type */
		{ NULL, "health", h_z },                     /* not a prefix of the base */
		{ NULL, NULL, NULL },
		{ NULL, NULL, h_S },                         /* after the end */
	};
	int r;

	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"health_status: healthy\","
	           "\"Actor\":{\"ID\":\"abc\",\"Attributes\":{}},\"time\":1,\"timeNano\":1}"),
	     DK_OK, "parse health_status event");
	T_OK(strcmp(run(t, &r), "abef") == 0,
	     "any, type, base action, whole action; not prefixes, not past the end: %s", calls);
	T_EQ(r, 0, "all returned 0: 0");
	T_OK(seen_ev == &ev && seen_opts == &opts, "handlers get the event and the options");

	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"health_status\","
	           "\"Actor\":{\"ID\":\"abc\"}}"), DK_OK, "parse bare health_status");
	T_OK(strcmp(run(t, &r), "abe") == 0, "bare action matches the base entry only: %s",
	     calls);

	T_EQ(parse("{\"Type\":\"network\",\"Action\":\"health_status: unhealthy\","
	           "\"Actor\":{\"ID\":\"n\"}}"), DK_OK, "parse network event");
	T_OK(strcmp(run(t, &r), "aeh") == 0, "type NULL and type network: %s", calls);

	T_EQ(parse("{\"Type\":\"image\",\"Action\":\"pull\",\"Actor\":{\"ID\":\"i\"}}"),
	     DK_OK, "parse image pull");
	T_OK(strcmp(run(t, &r), "a") == 0, "only the catch-all: %s", calls);
}

static void exec_actions(void)
{
	static const struct dk_handler t[] = {
		{ "container", "exec_create", h_a },
		{ "container", "exec_create: sh -c ls", h_b },
		{ "container", "exec_create: sh", h_c },     /* part of the detail */
		{ "container", "exec", h_d },
		{ "container", "", h_e },                    /* empty action */
		{ NULL, NULL, NULL },
	};
	int r;

	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"exec_create: sh -c ls\","
	           "\"Actor\":{\"ID\":\"x\"}}"), DK_OK, "parse exec_create");
	T_OK(strcmp(run(t, &r), "ab") == 0, "exec_create: base and whole: %s", calls);
	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"\",\"Actor\":{\"ID\":\"x\"}}"),
	     DK_OK, "parse empty action");
	T_OK(strcmp(run(t, &r), "e") == 0, "empty action matches only \"\": %s", calls);
}

static void stopping(void)
{
	static const struct dk_handler stop[] = {
		{ NULL, NULL, h_a }, { "volume", NULL, h_S }, { NULL, NULL, h_b },
		{ NULL, NULL, NULL },
	};
	static const struct dk_handler err[] = {
		{ NULL, NULL, h_a }, { "image", NULL, h_S }, { NULL, "create", h_E },
		{ NULL, NULL, h_b }, { NULL, NULL, NULL },
	};
	static const struct dk_handler empty[] = { { NULL, NULL, NULL } };
	int r;

	T_EQ(parse("{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"v\"}}"),
	     DK_OK, "parse volume create");
	T_OK(strcmp(run(stop, &r), "aS") == 0, "stop: later handlers not called: %s", calls);
	T_EQ(r, DK_HANDLER_STOP, "DK_HANDLER_STOP returned");
	T_OK(strcmp(run(err, &r), "aE") == 0,
	     "non-matching stopper skipped, error stops: %s", calls);
	T_EQ(r, -7, "negative result returned as is");
	T_OK(strcmp(run(empty, &r), "") == 0 && r == 0, "empty table: nothing, 0");
}

/* Run fn over the current event with stdout captured into out. */
static void captured(dk_handler_fn fn, char *out, size_t cap, int *ret)
{
	char path[] = "/tmp/dk_dispatch_XXXXXX";
	int fd = mkstemp(path), saved;
	FILE *f;
	size_t n;

	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	*ret = fn(&ev, &opts);
	dk_output_write();
	dup2(saved, 1);
	close(saved);
	close(fd);
	f = fopen(path, "rb");
	n = f ? fread(out, 1, cap - 1, f) : 0;
	out[n] = '\0';
	if (f)
		fclose(f);
	unlink(path);
}

static void builtins(void)
{
	static const char rec[] =
		"{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"vol1\","
		"\"Attributes\":{\"driver\":\"local\"}},\"scope\":\"local\","
		"\"time\":1795792644,\"timeNano\":1795792644528802200}";
	char out[1024];
	int r;

	T_EQ(parse(rec), DK_OK, "parse recorded volume create");
	opts.json = 0;
	captured(dk_handler_log, out, sizeof out, &r);
	T_OK(strcmp(out, "2026-11-27T15:17:24.528802200Z volume create vol1 (driver=local)\n")
	     == 0, "log line as docker events prints it: %.*s", (int)strcspn(out, "\n"), out);
	T_EQ(r, 0, "log handler returns 0");
	captured(dk_handler_json, out, sizeof out, &r);
	T_OK(out[0] == '\0' && r == 0, "json handler silent without --json");

	opts.json = 1;
	captured(dk_handler_json, out, sizeof out, &r);
	T_OK(strlen(out) == sizeof rec && memcmp(out, rec, sizeof rec - 1) == 0 &&
	     out[sizeof rec - 1] == '\n', "json: the record exactly, one line");
	captured(dk_handler_log, out, sizeof out, &r);
	T_OK(out[0] == '\0' && r == 0, "log handler silent with --json");
	T_EQ(parse("{\"Type\":\"dockev\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"u\"},"
	           "\"timeNano\":1}"), DK_OK, "parse a dockev event");
	T_EQ(ev.synthetic, 0, "a parsed event is never marked synthetic");
	captured(dk_handler_json, out, sizeof out, &r);
	T_OK(strncmp(out, "{\"Type\":\"dockev\"", 16) == 0 && r == 0,
	     "json: an engine's own \"Type\":\"dockev\" is printed as received");
	ev.synthetic = 1;
	captured(dk_handler_json, out, sizeof out, &r);
	T_OK(out[0] == '\0' && r == 0, "json: the agent's synthetic events not printed "
	     "without --snapshot");
	opts.snapshot = 1;
	captured(dk_handler_json, out, sizeof out, &r);
	T_OK(strncmp(out, "{\"Type\":\"dockev\"", 16) == 0 && r == 0,
	     "json: with --snapshot, the agent's own printed as made");
	opts.snapshot = 0;
	opts.json = 0;

	T_EQ(parse("{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"n1\","
	           "\"Attributes\":{\"name\":\"a\\\"b\",\"container\":\"c1\"}},"
	           "\"timeNano\":1000000000123}"), DK_OK, "parse network connect");
	captured(dk_handler_log, out, sizeof out, &r);
	T_OK(strcmp(out, "1970-01-01T00:16:40.000000123Z network connect n1 "
	                 "(name=a\"b, container=c1)\n") == 0,
	     "attributes unescaped, in order: %.*s", (int)strcspn(out, "\n"), out);
	T_EQ(parse("{\"Type\":\"x\",\"Action\":\"y\"}"), DK_OK, "parse bare event");
	captured(dk_handler_log, out, sizeof out, &r);
	T_OK(strncmp(out, "1970-01-01T00:00:00.000000000Z x y", 34) == 0 &&
	     !strchr(out, '(') && strchr(out, '\n') == out + strlen(out) - 1,
	     "no actor, no attributes, no time: one line, no attribute list: %.*s",
	     (int)strcspn(out, "\n"), out);
}

int main(void)
{
	matching();
	exec_actions();
	stopping();
	builtins();
	return T_DONE();
}
