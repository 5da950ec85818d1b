/* test_hook.c - the hook runner's side: the directories an event selects,
 * the warning about the agent's environment, and the queue: bounded, never
 * blocking, in fixed memory. */
#include "t.h"
#include "hook.h"
#include "err.h"
#include "fakeport.h"

static struct dk_hooks hooks;
static struct dk_event ev;

static int parse(const char *s)
{
	return dk_event_parse(&ev, s, strlen(s));
}

/* dk_hook_init says once when hooks get only the first DK_HOOK_OWN_VARS
 * of the agent's own variables (hookenv drops the rest). */
static void own_env(void)
{
	static char vars[DK_HOOK_OWN_VARS + 50][32];
	static char *base[DK_HOOK_OWN_VARS + 52];
	int i, n = 0;

	base[n++] = "DOCKEV_TYPE=stale"; /* ours: not counted */
	for (i = 0; i < DK_HOOK_OWN_VARS + 50; i++) {
		snprintf(vars[i], sizeof vars[i], "V%d=%d", i, i);
		base[n++] = vars[i];
	}
	base[n] = NULL;
	fake_environ = base;
	fake_log_reset();
	dk_hook_init(&hooks, "/hooks", "h", 1000, 4, 4);
	T_OK(fake_log_lines == 1 &&
	     strstr(fake_log, "the agent's environment has 306 variables; hooks get "
	            "the first 256 of them, the other 50 are dropped") != NULL,
	     "dk_hook_init warns once: %s", fake_log);
	base[DK_HOOK_OWN_VARS + 1] = NULL;
	fake_log_reset();
	dk_hook_init(&hooks, "/hooks", "h", 1000, 4, 4);
	T_EQ(fake_log_lines, 0, "not when all of it passes");
	fake_environ = NULL;
}

/* Which directories an event selects: only plain Types and Actions name
 * one, and all.d runs once. */
static void dirs_of_as(const char *rec, int synthetic, const char *want)
{
	char got[3 * DK_HOOK_PATH_MAX + 4], name[DK_HOOK_PATH_MAX];
	int d;

	got[0] = '\0';
	if (parse(rec) != DK_OK) {
		T_OK(0, "parse %s", rec);
		return;
	}
	ev.synthetic = synthetic;
	for (d = 0; d < 3; d++) {
		if (!dk_hook_dir_name(&ev, d, name, sizeof name))
			strcpy(name, "-");
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", d ? " " : "", name);
	}
	T_OK(strcmp(got, want) == 0, "%s%s: %s (got %s)", rec,
	     synthetic ? " (ours)" : "", want, got);
}

static void dirs_of(const char *rec, const char *want)
{
	dirs_of_as(rec, 0, want);
}

static void dir_names(void)
{
	char small[8];

	dirs_of("{\"Type\":\"container\",\"Action\":\"die\"}", "container.die.d container.d all.d");
	dirs_of("{\"Type\":\"container\",\"Action\":\"health_status: healthy\"}",
	        "container.health_status.d container.d all.d");
	dirs_of("{\"Type\":\"container\",\"Action\":\"exec_create: sh -c a.b\"}",
	        "container.exec_create.d container.d all.d");
	dirs_of("{\"Type\":\"container\",\"Action\":\"archive-path\"}",
	        "container.archive-path.d container.d all.d");
	dirs_of_as("{\"Type\":\"dockev\",\"Action\":\"snapshot-start\"}", 1,
	           "dockev.snapshot-start.d dockev.d all.d");
	/* The same text from the engine is not ours: only all.d. */
	dirs_of("{\"Type\":\"dockev\",\"Action\":\"connect\"}", "- - all.d");
	dirs_of("{\"Type\":\"container.die\",\"Action\":\"\"}", "- - all.d");
	dirs_of("{\"Type\":\"container\",\"Action\":\"\"}", "- container.d all.d");
	dirs_of("{\"Type\":\"container\",\"Action\":\": x\"}", "- container.d all.d");
	dirs_of("{\"Type\":\"all\",\"Action\":\"die\"}", "all.die.d - all.d");
	dirs_of("{\"Type\":\"all\",\"Action\":\"\"}", "- - all.d");
	dirs_of("{\"Type\":\"container\",\"Action\":\"die.x\"}", "- container.d all.d");
	dirs_of("{\"Type\":\"Container\",\"Action\":\"start\"}", "- - all.d");
	dirs_of("{\"Type\":\"..\",\"Action\":\"start\"}", "- - all.d");
	dirs_of("{\"Type\":\"a/b\",\"Action\":\"start\"}", "- - all.d");
	dirs_of("{\"Type\":\"container\\u002edie\",\"Action\":\"x\"}", "- - all.d");
	dirs_of("{\"Type\":\"container\\u0000\",\"Action\":\"start\"}", "- - all.d");
	dirs_of("{\"Type\":\"container\",\"Action\":\"st art\"}", "- container.d all.d");
	dirs_of("{\"Type\":\"container\",\"Action\":\"start\\n\"}", "- container.d all.d");
	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"die\"}"), DK_OK, "event");
	T_EQ(dk_hook_dir_name(&ev, 1, small, sizeof small), 0, "a name longer than cap: none");

	/* Logged once per event, with its bytes escaped, and counted. */
	fake_dir_names = "all.d\0container.die.d\0";
	fake_mtime = 1;
	dk_hook_init(&hooks, "/hooks", "h", 1000, 4, 4);
	fake_log_reset();
	T_EQ(parse("{\"Type\":\"container.die\",\"Action\":\"\"}"), DK_OK, "event");
	dk_hook_event(&hooks, &ev);
	T_OK(fake_log_lines == 1 && strstr(fake_log, "event with Type \"container.die\", "
	     "Action \"\": not plain names ([a-z0-9_-]+), so they select no hook directory; "
	     "only all.d runs (1 such events)"), "one line: %s", fake_log);
	T_EQ(hooks.unnamed, 1, "counted");
	T_EQ(dk_hook_queued(&hooks), 1, "queued for all.d");
	T_EQ(parse("{\"Type\":\"x\\ndockev: error: forged\",\"Action\":\"\\\"q\"}"), DK_OK, "event");
	fake_log_reset();
	dk_hook_event(&hooks, &ev);
	T_OK(fake_log_lines == 1 && strchr(fake_log, '\n') == fake_log + strlen(fake_log) - 1 &&
	     strstr(fake_log, "Type \"x\\x0adockev: error: forged\", Action \"\\x22q\""),
	     "control bytes and quotes escaped: %s", fake_log);
	T_EQ(hooks.unnamed, 2, "counted");
	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"die\"}"), DK_OK, "event");
	fake_log_reset();
	dk_hook_event(&hooks, &ev);
	T_EQ(fake_log_lines, 0, "a plain event: no line");
	dk_hook_stop(&hooks, 0);
	fake_dir_names = NULL;
}

static void queue(void)
{
	int i;

	dk_hook_init(&hooks, NULL, "h", 1000, 4, 4);
	T_EQ(parse("{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"a\"}}"),
	     DK_OK, "event");
	dk_hook_event(&hooks, &ev);
	T_EQ(dk_hook_queued(&hooks), 0, "hooks off: nothing queued");

	fake_dir_names = "container.die.d\0other.d\0";
	fake_mtime = 1;
	dk_hook_init(&hooks, "/hooks", "h", 1000, 4, 4);
	fake_log_reset();
	for (i = 0; i < 6; i++)
		dk_hook_event(&hooks, &ev);
	T_EQ(dk_hook_queued(&hooks), 4, "the queue holds --hook-queue events");
	T_EQ(hooks.skipped, 2, "the rest are skipped and counted");
	T_OK(strstr(fake_log, "hook queue full (4 events waiting): skipped the hooks "
	            "of container die a") != NULL, "and logged with the event: %s", fake_log);
	T_EQ(parse("{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":\"n\"}}"),
	     DK_OK, "event without a hook directory");
	dk_hook_init(&hooks, "/hooks", "h", 1000, 4, 4);
	dk_hook_event(&hooks, &ev);
	T_EQ(dk_hook_queued(&hooks), 0, "an event with no directory is not queued");
	dk_hook_stop(&hooks, 0);
	fake_dir_names = NULL;
}

int main(void)
{
	own_env();
	dir_names();
	queue();
	return T_DONE();
}
