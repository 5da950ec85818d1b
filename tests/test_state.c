/* test_state.c - the --state file: its text (round trip, every torn
 * prefix refused, foreign files refused), and the agent around it on
 * scripted connections: resume after a restart with each event once, the
 * write rate, the write at exit, a resync when the engine's history no
 * longer reaches back to the resume point, a state file that cannot be used. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "t.h"
#include "agent.h"
#include "dispatch.h"
#include "err.h"
#include "state.h"
#include "fakeport.h"
#include "agentfix.h"

/* ---- the text ----------------------------------------------------------- */

static void text(void)
{
	struct dk_state s, p;
	char buf[DK_STATE_TEXT_MAX], small[40];
	int n, cut, bad = 0;
	unsigned i;

	memset(&s, 0, sizeof s);
	s.point = 1795790000099000000LL;
	s.kind = DK_RESUME_EVENT;
	s.count = 2;
	s.marks[0].tn = 1795790000098000000LL;
	s.marks[0].id = 0x9e3779b97f4a7c15ULL;
	s.marks[1].tn = 1795790000099000000LL;
	s.marks[1].id = 0x0123456789abcdefULL;
	n = dk_state_format(buf, sizeof buf, &s);
	T_STR(buf, n > 0 ? (size_t)n : 0,
	      "dockev-state 2\nresume 1795790000099000000 event\n"
	      "recent 1795790000098000000:9e3779b97f4a7c15 1795790000099000000:0123456789abcdef\n",
	      "format: three lines");
	T_EQ(dk_state_parse(buf, (size_t)n, &p), DK_OK, "parse what format wrote");
	T_OK(p.point == s.point && p.kind == DK_RESUME_EVENT && p.count == 2 &&
	     p.marks[0].tn == s.marks[0].tn && p.marks[0].id == s.marks[0].id &&
	     p.marks[1].tn == s.marks[1].tn && p.marks[1].id == s.marks[1].id, "round trip");
	for (cut = 0; cut < n; cut++)
		bad += dk_state_parse(buf, (size_t)cut, &p) == DK_OK;
	T_EQ(bad, 0, "every torn prefix (0..%d bytes) refused", n - 1);
	T_EQ(p.point, 0, "a refused file leaves the state zeroed");
	T_EQ(dk_state_format(small, sizeof small, &s), DK_ERR_NOSPACE,
	     "format into a small buffer: NOSPACE");

	s.kind = DK_RESUME_CLOCK;
	s.count = 0;
	n = dk_state_format(buf, sizeof buf, &s);
	T_STR(buf, (size_t)n, "dockev-state 2\nresume 1795790000099000000 clock\nrecent\n",
	      "a clock point before any event");
	T_OK(dk_state_parse(buf, (size_t)n, &p) == DK_OK && p.kind == DK_RESUME_CLOCK &&
	     p.count == 0, "clock point round trip");

	s.kind = DK_RESUME_EVENT;
	s.count = DK_RESUME_RECENT;
	for (i = 0; i < DK_RESUME_RECENT; i++) {
		s.marks[i].tn = INT64_MAX / 2 - i;
		s.marks[i].id = ~0ULL - i;
	}
	n = dk_state_format(buf, sizeof buf, &s);
	T_OK(n > 0 && dk_state_parse(buf, (size_t)n, &p) == DK_OK &&
	     p.count == DK_RESUME_RECENT &&
	     p.marks[DK_RESUME_RECENT - 1].id == s.marks[DK_RESUME_RECENT - 1].id,
	     "all %d marks, the longest numbers, fit and come back", DK_RESUME_RECENT);

	T_EQ(dk_state_parse("dockev-state 1\nresume 17 event\nseen\n", 36, &p), DK_ERR_VERSION,
	     "an older dockev's file: told apart");
	{
		static const char *const foreign[] = {
			"dockev-state 3\nresume 1 event\nrecent\n",
			"dockev-state 2\nresume 0 event\nrecent\n",
			"dockev-state 2\nresume -5 event\nrecent\n",
			"dockev-state 2\nresume 99999999999999999999 event\nrecent\n",
			"dockev-state 2\nresume 17 event\nrecent 5:0123456789ABCDEF\n",
			"dockev-state 2\nresume 17 event\nrecent 5:0123\n",
			"dockev-state 2\nresume 17 event\nrecent 0123456789abcdef\n",
			"dockev-state 2\nresume 17 event\nrecent 0:0123456789abcdef\n",
			"dockev-state 2\nresume 17 event\nrecent\nextra\n",
			"dockev-state 2\nresume 17 later\nrecent\n",
			"{\"resume\":17}\n",
			"",
		};
		for (i = 0; i < sizeof foreign / sizeof foreign[0]; i++)
			T_EQ(dk_state_parse(foreign[i], strlen(foreign[i]), &p), DK_ERR_PARAM,
			     "foreign or edited file %u refused", i);
	}
}

/* ---- the agent with --state --------------------------------------------- */

#define REC_MAX 64
static char recs[REC_MAX][64];
static char reasons[REC_MAX][300];
static int nrecs;

static int recorder(const struct dk_event *ev, const struct dk_opts *o)
{
	(void)o;
	if (nrecs < REC_MAX) {
		snprintf(recs[nrecs], sizeof recs[0], "%.*s %.*s %.*s", (int)ev->type.n,
		         ev->type.p, (int)ev->action.n, ev->action.p, (int)ev->id.n, ev->id.p);
		dk_event_attr_get(ev, "reason", reasons[nrecs], sizeof reasons[0]);
	}
	nrecs++;
	return 0;
}

const struct dk_handler dk_handlers[] = {
	{ NULL, NULL, recorder },
	{ NULL, NULL, NULL },
};

static struct dk_agent ag;
#define WALL0 1795790000000000000LL

static void setup(void)
{
	agent_fixture(&ag, 100, 100, 60000, "1.41", "/state/dockev");
	fake_wall_ns = WALL0 + 500000000000LL;
	nrecs = 0;
	fake_file_writes = 0;
	fake_file_fail = 0;
}

static const char head[] =
	"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
	"Transfer-Encoding: chunked\r\n\r\n";

/* One chunk holding the event of actor id at WALL0 + k seconds (a ring
 * of buffers that outlive the run). */
static char chunks[64][400];
static int nchunks;
static const char *chunk(const char *id, int k)
{
	char rec[300];
	char *b = chunks[nchunks++ % 64];
	int n = snprintf(rec, sizeof rec,
	                 "{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"%s\","
	                 "\"Attributes\":{\"driver\":\"local\"}},\"scope\":\"local\","
	                 "\"time\":%lld,\"timeNano\":%lld}\n", id,
	                 (long long)(WALL0 / 1000000000 + k), (long long)(WALL0 + k * 1000000000LL));
	snprintf(b, sizeof chunks[0], "%x\r\n%s\r\n", n, rec);
	return b;
}

static int count(const char *what)
{
	int i, n = 0;
	for (i = 0; i < nrecs && i < REC_MAX; i++)
		n += strcmp(recs[i], what) == 0;
	return n;
}

static void resume_after_restart(void)
{
	struct fake_conn *c;
	char line[512];

	/* No file yet: a first run. Two events, then SIGTERM. */
	setup();
	fake_file_exists = 0;
	T_EQ(dk_agent_state_load(&ag), DK_OK, "no state file: a first run");
	c = fake_conn_add();
	fake_str(c, head);
	fake_str(c, chunk("v1", 1));
	fake_str(c, chunk("v2", 2));
	fake_signal(c, DK_SIG_STOP);
	T_EQ(dk_agent_run(&ag), 0, "first run: exit 0 on SIGTERM");
	fake_request_line(c, 0, line, sizeof line);
	T_OK(strstr(line, "since=") == NULL, "first run: no since= (%s)", line);
	T_OK(fake_file_exists && strstr(fake_file, "resume 1795790002000000000 event\n") != NULL,
	     "written at exit: the last event's timeNano");

	/* Restarted: since= the resume point; the engine replays v2 (dropped),
	 * then v3 and v4 happened while the agent was down. */
	setup();
	T_EQ(dk_agent_state_load(&ag), DK_OK, "state file read");
	T_OK(strstr(fake_log, "resuming at 1795790002.000000000 (the last delivered event)") != NULL,
	     "load is logged with the point");
	c = fake_conn_add();
	fake_str(c, head);
	fake_str(c, chunk("v2", 2));
	fake_str(c, chunk("v3", 3));
	fake_str(c, chunk("v4", 4));
	fake_signal(c, DK_SIG_STOP);
	T_EQ(dk_agent_run(&ag), 0, "second run: exit 0");
	fake_request_line(c, 0, line, sizeof line);
	T_OK(strstr(line, "since=1795790001.980000000") != NULL,
	     "resumes with since= 20 ms (DK_RESUME_MARGIN_NS) before the last event (%s)", line);
	T_EQ(count("volume create v2"), 0, "the replayed event is not delivered again");
	T_OK(count("volume create v3") == 1 && count("volume create v4") == 1,
	     "those made while it was down: once each");
	T_EQ(count("dockev resync unix:///run/docker.sock"), 0, "the history reached back: no resync");
	T_EQ(ag.n.duplicates, 1, "one duplicate dropped");
	T_OK(strstr(fake_file, "resume 1795790004000000000 event\n") != NULL, "file moved on");
}

static void gap(void)
{
	struct fake_conn *c;
	int i;

	/* The engine's history starts after the resume point: more than it
	 * keeps happened, or it restarted. */
	setup();
	T_EQ(dk_agent_state_load(&ag), DK_OK, "state file read again");
	c = fake_conn_add();
	fake_str(c, head);
	fake_str(c, chunk("v9", 9));
	fake_str(c, chunk("v10", 10));
	fake_signal(c, DK_SIG_STOP);
	dk_agent_run(&ag);
	for (i = 0; i < nrecs; i++)
		if (strncmp(recs[i], "dockev resync", 13) == 0)
			break;
	T_OK(i < nrecs && i + 1 < nrecs && strcmp(recs[i + 1], "volume create v9") == 0 &&
	     strcmp(recs[i - 1], "dockev connect unix:///run/docker.sock") == 0,
	     "dockev resync between connect and the first event");
	T_OK(i < nrecs && strstr(reasons[i], "events may have been lost") != NULL,
	     "resync says why: %s", i < nrecs ? reasons[i] : "");
	T_EQ(count("volume create v9") + count("volume create v10"), 2, "both events delivered");
	T_OK(strstr(fake_log, "resync: the first event after resuming "
	                      "(1795790004.000000000) is not one already delivered") != NULL,
	     "a warning says so");
	T_EQ(nrecs, 5, "connect, resync, 2 events, disconnect: one resync only");
}

static void write_rate(void)
{
	struct fake_conn *c;
	int i, writes_mid;

	/* Events a second apart: at most one write per 5 s. */
	setup();
	fake_file_exists = 0;
	dk_agent_state_load(&ag);
	c = fake_conn_add();
	fake_str(c, head);
	for (i = 0; i < 10; i++) {
		fake_str(c, chunk("r", 100 + i));
		fake_again(c, 1000);
	}
	fake_signal(c, DK_SIG_STOP);
	dk_agent_run(&ag);
	writes_mid = fake_file_writes;
	T_OK(writes_mid >= 2 && writes_mid <= 10 / 5 + 2,
	     "10 events over 10 s: %d writes (one per 5 s, and at exit)", writes_mid);
	T_OK(strstr(fake_file, "resume 1795790109000000000 event\n") != NULL,
	     "the last one is in the file at exit");

	/* Idle after an event: written when due, without another event. */
	setup();
	fake_file_exists = 0;
	c = fake_conn_add();
	fake_str(c, head);
	fake_str(c, chunk("a", 200));
	fake_again(c, 100);
	fake_str(c, chunk("b", 201));
	fake_again(c, 30000);
	fake_signal(c, DK_SIG_STOP);
	fake_file_writes = 0;
	dk_agent_run(&ag);
	T_OK(fake_file_writes >= 2 && strstr(fake_file, "resume 1795790201000000000") != NULL,
	     "an idle stream still writes the point when due (%d writes)", fake_file_writes);

	/* A failing write is logged, and the agent goes on. */
	setup();
	fake_file_fail = 1;
	c = fake_conn_add();
	fake_str(c, head);
	fake_str(c, chunk("f", 300));
	fake_signal(c, DK_SIG_STOP);
	T_EQ(dk_agent_run(&ag), 0, "write failure: still exit 0");
	T_OK(strstr(fake_log, "--state /state/dockev: cannot write: fake error") != NULL,
	     "write failure logged");
	T_EQ(count("volume create f"), 1, "and the event delivered");
}

static void unusable(void)
{
	struct fake_conn *c;
	char line[512];

	setup();
	strcpy(fake_file, "dockev-state 1\nresume 17 event\nseen\n");
	fake_file_len = strlen(fake_file);
	fake_file_exists = 1;
	T_EQ(dk_agent_state_load(&ag), DK_OK, "an older dockev's state file does not stop the agent");
	T_OK(strstr(fake_log, "written by an older dockev (format 1), ignored") != NULL,
	     "it is logged as such");
	setup();
	strcpy(fake_file, "dockev-state 2\nresume 17");
	fake_file_len = strlen(fake_file);
	fake_file_exists = 1;
	T_EQ(dk_agent_state_load(&ag), DK_OK, "a torn state file does not stop the agent");
	T_OK(strstr(fake_log, "not a dockev state file, ignored") != NULL, "it is logged");
	c = fake_conn_add();
	fake_str(c, head);
	fake_str(c, chunk("u", 400));
	fake_signal(c, DK_SIG_STOP);
	dk_agent_run(&ag);
	fake_request_line(c, 0, line, sizeof line);
	T_OK(strstr(line, "since=") == NULL, "no since= from a torn file");
	T_OK(nrecs >= 3 && strcmp(recs[1], "dockev resync unix:///run/docker.sock") == 0 &&
	     strstr(reasons[1], "--state file could not be used") != NULL,
	     "a resync right after the connect says so");
	T_OK(strstr(fake_file, "resume 1795790400000000000 event\n") != NULL,
	     "the file is replaced with a good one");
}

/* Issue 14, defect 11: a state file written before a board's clock fell
 * back holds a resume point ahead of the engine's clock. Before, every live
 * event was taken for a replayed duplicate and dropped. */
static void saved_point_ahead(void)
{
	static const char *const files[] = {
		/* an older dockev's file, as such a board has it today */
		"dockev-state 1\nresume 1826896600000000000 event\nseen 0123456789abcdef\n",
		"dockev-state 2\nresume 1826896600000000000 event\n"
		"recent 1826896600000000000:0123456789abcdef\n",
	};
	struct fake_conn *c;
	unsigned i;

	for (i = 0; i < 2; i++) {
		setup();
		strcpy(fake_file, files[i]);
		fake_file_len = strlen(fake_file);
		fake_file_exists = 1;
		dk_agent_state_load(&ag);
		c = fake_conn_add();
		fake_str(c, head);
		fake_str(c, chunk("now1", 1));
		fake_str(c, chunk("now2", 2));
		fake_signal(c, DK_SIG_STOP);
		dk_agent_run(&ag);
		T_OK(count("volume create now1") == 1 && count("volume create now2") == 1,
		     "state %u a year ahead: the live events are delivered", i + 1);
		T_EQ(count("dockev resync unix:///run/docker.sock"), 1,
		     "state %u a year ahead: one resync says events may have been lost", i + 1);
		T_OK(strstr(fake_file, "resume 1795790002000000000 event") != NULL,
		     "state %u: the file follows the engine's clock again", i + 1);
	}
}

/* --mqtt: the broker's cursor in two more lines; a file without them (an
 * older dockev, or no --mqtt) still loads, with has_broker 0. */
static void broker_text(void)
{
	static struct dk_state s, p;
	char buf[DK_STATE_TEXT_MAX];
	int n, cut, bad = 0;

	memset(&s, 0, sizeof s);
	s.point = 1795790000099000000LL;
	s.kind = DK_RESUME_EVENT;
	s.count = 1;
	s.marks[0].tn = 1795790000099000000LL;
	s.marks[0].id = 0x0123456789abcdefULL;
	s.has_broker = 1;
	s.bkind = DK_RESUME_EVENT;
	s.bpoint = 1795790000098000000LL;
	s.bcount = 1;
	s.bmarks[0].tn = 1795790000098000000LL;
	s.bmarks[0].id = 0x9e3779b97f4a7c15ULL;
	n = dk_state_format(buf, sizeof buf, &s);
	T_STR(buf, n > 0 ? (size_t)n : 0,
	      "dockev-state 2\nresume 1795790000099000000 event\n"
	      "recent 1795790000099000000:0123456789abcdef\n"
	      "broker 1795790000098000000 event\n"
	      "brecent 1795790000098000000:9e3779b97f4a7c15\n",
	      "format: the broker's cursor in two more lines");
	T_EQ(dk_state_parse(buf, (size_t)n, &p), DK_OK, "parsed back");
	T_OK(p.has_broker && p.bkind == DK_RESUME_EVENT && p.bpoint == s.bpoint &&
	     p.bcount == 1 && p.bmarks[0].tn == s.bmarks[0].tn &&
	     p.bmarks[0].id == s.bmarks[0].id && p.point == s.point &&
	     p.count == 1, "both cursors intact");
	/* A torn file is refused, except where it ends with the local lines
	 * whole: that is the older format, and loads without the broker. */
	for (cut = 0; cut < n; cut++) {
		int r = dk_state_parse(buf, (size_t)cut, &p);
		int old_end = (size_t)cut == strlen("dockev-state 2\nresume "
		              "1795790000099000000 event\nrecent "
		              "1795790000099000000:0123456789abcdef\n");
		if (old_end ? r != DK_OK || p.has_broker : r != DK_ERR_PARAM)
			bad++;
	}
	T_EQ(bad, 0, "every torn prefix refused but the older format's end");
#define PARSE(text) dk_state_parse(text, strlen(text), &p)
	T_EQ(PARSE("dockev-state 2\nresume 5 clock\nrecent\nbroker 5 "
	           "clock\nbrecent\n"), DK_OK,
	     "clock cursors, no marks");
	T_OK(p.has_broker && p.bkind == DK_RESUME_CLOCK && p.bpoint == 5,
	     "the broker's clock point");
	T_EQ(PARSE("dockev-state 2\nresume 5 clock\nrecent\nbroker 5 "
	           "clock\nrecent\n"), DK_ERR_PARAM,
	     "a broker line without its brecent line refused");
	T_EQ(PARSE("dockev-state 2\nresume 5 clock\nrecent\njunk\n"),
	     DK_ERR_PARAM, "anything else after it refused");
#undef PARSE
}

int main(void)
{
	text();
	broker_text();
	resume_after_restart();
	gap();
	write_rate();
	unusable();
	saved_point_ahead();
	return T_DONE();
}
