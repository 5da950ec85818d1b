/* hook.c - the hook policy: match events to DIR/T.A.d, DIR/T.d and
 * DIR/all.d; queue them in a fixed ring without ever blocking the reader;
 * hold a burst's runs back and keep only its last event's (--hook-debounce,
 * table: policy/debounce.c); run each event's scripts one after another,
 * events of one actor in order, up to --hook-jobs at once (environments:
 * policy/hookenv.c); enforce --hook-timeout on the whole process group.
 * The port spawns (as --hook-user), signals and reaps; this file decides.
 */
#include <stdio.h>
#include <string.h>
#include "hook.h"
#include "hookenv.h"
#include "hookq.h"
#include "err.h"

/* A slot's kills: none, TERM at its timeout (KILL due after the grace),
 * KILL after the grace, KILL at a second stop. */
enum { K_NONE, K_TERM, K_KILL, K_STOP };

/* Hooks get the first DK_HOOK_OWN_VARS of the agent's own variables: say
 * once, at start, when there are more (environ does not change later). */
static void own_env_check(char *const *base)
{
	int i, n = 0;

	for (i = 0; base && base[i]; i++)
		n += !dk_hookenv_ours(base[i]);
	if (n > DK_HOOK_OWN_VARS)
		dk_port_log(DK_LOG_WARN, "the agent's environment has %d variables; "
		            "hooks get the first %d of them, the other %d are "
		            "dropped (DK_HOOK_OWN_VARS)", n, DK_HOOK_OWN_VARS,
		            n - DK_HOOK_OWN_VARS);
}

void dk_hook_init(struct dk_hooks *h, const char *dir, const char *host,
                  int64_t timeout_ms, int jobs, int queue)
{
	int i;

	h->dir = dir;
	h->q.count = 0;
	if (!dir)
		return; /* off: the rest of the struct is never touched */
	/* Only the bookkeeping: the environment and the ring are written
	 * before they are read, so their pages stay untouched until used. */
	dk_hookq_init(&h->q, queue, (size_t)DK_BUF_SIZE);
	h->dirs_len = 0;
	h->stopping = h->reap_due = 0;
	h->run = h->failed = h->skipped = h->timeouts = h->unnamed = 0;
	dk_debounce_init(&h->db, 0, 0);
	h->flushing = h->db_full_said = 0;
	h->debounced = h->db_full = 0;
	h->cred = NULL;
	h->host = host;
	h->timeout_ms = timeout_ms > 0 ? timeout_ms : DK_HOOK_TIMEOUT_MS;
	h->max_jobs = jobs < 1 ? 1 : jobs > DK_HOOK_JOBS_MAX ? DK_HOOK_JOBS_MAX : jobs;
	h->dir_mtime = -2;
	h->lists_used = 0;
	for (i = 0; i < DK_HOOK_LISTS; i++)
		h->lists[i].mtime = -1;
	for (i = 0; i < DK_HOOK_JOBS_MAX; i++) {
		h->slots[i].job = -1;
		h->slots[i].stdin_fd = -1;
	}
	own_env_check(dk_port_environ());
}

void dk_hook_debounce(struct dk_hooks *h, int64_t min_ms, int64_t max_ms)
{
	if (h->dir)
		dk_debounce_init(&h->db, min_ms, max_ms);
}

void dk_hook_user(struct dk_hooks *h, const struct dk_port_cred *c)
{
	if (h->dir)
		h->cred = c;
}

/* ---- the hooks directory ----------------------------------------------- */

int dk_hook_check_dir(const char *dir)
{
	char why[160];
	int r = dk_port_hooks_dir_stat(dir, NULL, why, sizeof why);

	if (r != DK_OK)
		dk_port_log(DK_LOG_ERR, "--hooks %s: %s (it must be a directory "
		            "owned by root or the agent's user, not writable by "
		            "group or others)", dir, why);
	return r;
}

/* Was a directory with mtime m changed so recently that a change in the
 * same timestamp tick could still come (or one in the future: a clock
 * set back)? Then what we read of it is not kept by its mtime. */
static int racy(int64_t m)
{
	int64_t age = dk_port_wall_ns() - m;
	return age < DK_HOOK_RACY_NS;
}

/* The names in dir ending in suffix ("" for all), NUL-separated in name
 * order, into buf[0..cap), their bytes in *len. Returns 1 when all fit;
 * 0 when one did not (copied to over, when not NULL; *len holds those
 * before it); < 0 when dir cannot be read. */
static int read_names(const char *dir, const char *suffix, char *buf,
                      size_t cap, size_t *len, char *over)
{
	char a[256], b[256], *name = a, *after = b, *t;
	size_t sl = strlen(suffix), n;
	int r;

	*len = 0;
	after[0] = '\0';
	while ((r = dk_port_dir_next(dir, after, name, sizeof a)) > 0) {
		n = strlen(name);
		if (n > sl && strcmp(name + n - sl, suffix) == 0) {
			if (*len + n + 1 > cap) {
				if (over)
					memcpy(over, name, n + 1);
				return 0;
			}
			memcpy(buf + *len, name, n + 1);
			*len += n + 1;
		}
		t = after, after = name, name = t;
	}
	return r < 0 ? r : 1;
}

/* Re-read the *.d names when the directory changed: a script directory
 * added or removed takes effect at the next event, without a restart. */
static int refresh_dirs(struct dk_hooks *h, char *why, size_t whylen)
{
	char over[256];
	int64_t m = -1;
	int r = dk_port_hooks_dir_stat(h->dir, &m, why, whylen);

	/* Gone bad (now group-writable, or someone else's): nothing of it is
	 * trusted; once it is fixed, it is read again. */
	if (r == DK_ERR_PARAM) {
		h->dir_mtime = -2;
		h->dirs_len = 0;
		return r;
	}
	if (r != DK_OK)
		m = -1;
	if (m == h->dir_mtime)
		return DK_OK;
	if (m < 0 && h->dir_mtime != -1)
		dk_port_log(DK_LOG_ERR, "hooks directory %s: %s", h->dir,
		            "cannot be read; no hooks run until it can");
	/* A racy mtime is not kept: the next event reads again. */
	h->dir_mtime = m >= 0 && racy(m) ? -3 : m;
	h->dirs_len = 0;
	if (m >= 0 && read_names(h->dir, ".d", h->dirs, sizeof h->dirs,
	                         &h->dirs_len, over) == 0)
		dk_port_log(DK_LOG_ERR, "hooks directory %s: too many "
		            "*.d directories; %s and later ignored", h->dir, over);
	return DK_OK;
}

static int has_dir(const struct dk_hooks *h, const char *name)
{
	size_t i = 0;
	while (i < h->dirs_len) {
		if (strcmp(h->dirs + i, name) == 0)
			return 1;
		i += strlen(h->dirs + i) + 1;
	}
	return 0;
}

/* Can s name a hook directory? Every engine's types and base actions are
 * [a-z0-9_-]+ (exec_create, health_status, archive-path); anything else
 * ("container.die", "", "../x") would make DIR/T.A.d ambiguous. */
static int plain(struct dk_str s)
{
	size_t i;

	if (!s.p || s.n == 0)
		return 0;
	for (i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

/* Type "dockev" from the engine: the dockev.*.d scripts are for the
 * agent's own events (connect, disconnect, resync), so it selects none. */
static int ours_forged(const struct dk_event *ev)
{
	return !ev->synthetic && ev->type.n == 6 &&
	       memcmp(ev->type.p, "dockev", 6) == 0;
}

int dk_hook_dir_name(const struct dk_event *ev, int d, char *out, size_t cap)
{
	int n;
	/* Type "all": its T.d is all.d, which runs for every event anyway. */
	int all = ev->type.n == 3 && memcmp(ev->type.p, "all", 3) == 0;

	if (d == 2)
		n = snprintf(out, cap, "all.d");
	else if (!plain(ev->type) || (d == 0 && !plain(ev->base)) ||
	         (d == 1 && all) || ours_forged(ev))
		return 0;
	else if (d == 0)
		n = snprintf(out, cap, "%.*s.%.*s.d", (int)ev->type.n, ev->type.p,
		             (int)ev->base.n, ev->base.p);
	else
		n = snprintf(out, cap, "%.*s.d", (int)ev->type.n, ev->type.p);
	return n > 0 && (size_t)n < cap;
}

/* The first script name after `after` in DIR/sub (path), as
 * dk_port_dir_next returns it (1 found, 0 none, < 0 error), from a kept
 * listing while the directory's mtime holds. A listing that does not fit
 * is not kept, and the directory is read the long way. */
static int list_next(struct dk_hooks *h, const char *path, const char *sub,
                     const char *after, char *name, size_t cap)
{
	struct dk_hook_list *l = NULL;
	int64_t m = dk_port_mtime(path);
	size_t i, n;
	int r;

	if (m < 0 || strlen(sub) >= sizeof l->sub)
		return dk_port_dir_next(path, after, name, cap);
	for (i = 0; i < DK_HOOK_LISTS; i++)
		if (h->lists[i].mtime >= 0 && strcmp(h->lists[i].sub, sub) == 0)
			l = &h->lists[i];
	if (!l || l->mtime != m) {
		if (!l) /* a free slot, or the least recently used */
			for (l = &h->lists[0], i = 1; i < DK_HOOK_LISTS; i++)
				if (h->lists[i].mtime < 0 ||
				    (l->mtime >= 0 && h->lists[i].used < l->used))
					l = &h->lists[i];
		l->mtime = -1;
		memcpy(l->sub, sub, strlen(sub) + 1);
		r = read_names(path, "", l->names, sizeof l->names, &l->len, NULL);
		if (r == 0)
			return dk_port_dir_next(path, after, name, cap);
		if (r < 0)
			return r;
		l->mtime = racy(m) ? -1 : m;
	}
	l->used = ++h->lists_used;
	for (i = 0; i < l->len; i += strlen(l->names + i) + 1) {
		const char *x = l->names + i;
		if (strcmp(x, after) > 0) {
			/* Longer than cap: skipped, as dk_port_dir_next does. */
			if ((n = strlen(x)) >= cap)
				continue;
			memcpy(name, x, n + 1);
			return 1;
		}
	}
	return 0;
}

/* ---- taking events in ---------------------------------------------- */

static void identify(const struct dk_event *ev, char *out, size_t cap)
{
	snprintf(out, cap, "%.*s %.*s %.*s", (int)ev->type.n, ev->type.p,
	         (int)ev->action.n, ev->action.p,
	         (int)(ev->id.n > 12 ? 12 : ev->id.n), ev->id.p);
}

/* s for a log line: at most cap - 1 bytes, a byte outside printable
 * ASCII (or a quote or backslash) as \xHH, "..." when cut. */
static void visible(struct dk_str s, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < s.n && o + 8 < cap; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	if (i < s.n)
		out[o++] = '.', out[o++] = '.', out[o++] = '.';
	out[o] = '\0';
}

/* ---- --hook-debounce: held runs ----------------------------------------- */

/* Job j's run of directory d is superseded by a later event of the burst:
 * it no longer runs d; a job with nothing held left waits in the queue,
 * one with nothing left to run is done. */
static void supersede(struct dk_hooks *h, int j, int d)
{
	h->run_dirs[j] &= (unsigned char)~(1u << d);
	h->debounced++;
	if (--h->held[j] > 0)
		return;
	if (h->run_dirs[j])
		h->q.jobs[j].state = DK_HOOKQ_QUEUED;
	else
		dk_hookq_done(&h->q, j);
}

/* Entry i is due (or the agent stops): its job may run that directory. */
static void release(struct dk_hooks *h, int i)
{
	struct dk_debounce_entry e;

	dk_debounce_remove(&h->db, i, &e);
	h->coalesced[e.job][e.dir] = e.count;
	if (--h->held[e.job] == 0)
		h->q.jobs[e.job].state = DK_HOOKQ_QUEUED;
}

/* Hold job j's directories (mask) for its actor. A directory the full
 * table cannot hold runs without waiting (after the actor's earlier runs,
 * whose order the queue keeps). */
static void hold(struct dk_hooks *h, int j, unsigned mask, uint64_t actor,
                 const struct dk_event *ev)
{
	int64_t now = dk_port_now_ms();
	char id[128];
	int d, prev;

	for (d = 0; d < 3; d++) {
		if (!(mask >> d & 1))
			continue;
		if (dk_debounce_add(&h->db, actor, d, j, now, &prev) < 0) {
			h->db_full++;
			if (!h->db_full_said) {
				h->db_full_said = 1;
				identify(ev, id, sizeof id);
				dk_port_log(DK_LOG_WARN, "hook debounce table full (%d "
				            "runs held, DK_HOOK_DEBOUNCE_MAX): the hooks "
				            "of %s run without waiting; said once, later "
				            "ones are only counted", h->db.n, id);
			}
			continue;
		}
		/* Held before the superseded run is let go: a job is never
		 * briefly queued while it still holds a directory. */
		h->held[j]++;
		h->q.jobs[j].state = DK_HOOKQ_HELD;
		if (prev >= 0)
			supersede(h, prev, d);
	}
}

static void release_due(struct dk_hooks *h)
{
	int64_t now;
	int i;

	if (h->db.n == 0)
		return;
	now = dk_port_now_ms();
	while (h->db.n > 0 &&
	       (i = h->flushing ? 0 : dk_debounce_due(&h->db, now)) >= 0)
		release(h, i);
}

static int held_jobs(const struct dk_hooks *h)
{
	int qi, n = 0;

	for (qi = 0; qi < h->q.count; qi++)
		n += h->q.jobs[(h->q.head + qi) % h->q.max].state == DK_HOOKQ_HELD;
	return n;
}

/* DOCKEV_DEBOUNCED=n in the environment just built: the agent's own
 * variable of that name replaced, else added when there is room. */
static void debounced_var(struct dk_hooks *h, unsigned n)
{
	static const char name[] = "DOCKEV_DEBOUNCED=";
	struct dk_hookenv *e = &h->env;
	int i;

	snprintf(h->db_var, sizeof h->db_var, "%s%u", name, n);
	for (i = 0; i < e->n; i++)
		if (strncmp(e->vars[i], name, sizeof name - 1) == 0) {
			e->vars[i] = h->db_var;
			return;
		}
	if (e->n < DK_HOOK_ENV_VARS) {
		e->vars[e->n++] = h->db_var;
		e->vars[e->n] = NULL;
	}
}

void dk_hook_event(struct dk_hooks *h, const struct dk_event *ev)
{
	char name[DK_HOOK_PATH_MAX], id[128], why[160];
	unsigned mask = 0;
	uint64_t actor;
	int d, j;

	if (!h->dir || h->stopping)
		return;
	if (ours_forged(ev)) {
		h->unnamed++;
		dk_port_log(DK_LOG_WARN, "event with Type \"dockev\" from the "
		            "engine: only the agent's own events select dockev.*.d; "
		            "only all.d runs (%llu such events)",
		            (unsigned long long)h->unnamed);
	} else if (!plain(ev->type) || !plain(ev->base)) {
		char t[48], a[48];
		h->unnamed++;
		visible(ev->type, t, sizeof t);
		visible(ev->base, a, sizeof a);
		dk_port_log(DK_LOG_WARN, "event with Type \"%s\", Action \"%s\": not "
		            "plain names ([a-z0-9_-]+), so they select no hook "
		            "directory; only all.d runs (%llu such events)", t, a,
		            (unsigned long long)h->unnamed);
	}
	if (refresh_dirs(h, why, sizeof why) != DK_OK) {
		h->skipped++;
		identify(ev, id, sizeof id);
		dk_port_log(DK_LOG_ERR, "hooks directory %s %s: skipped the hooks "
		            "of %s", h->dir, why, id);
		return;
	}
	for (d = 0; d < 3; d++)
		if (dk_hook_dir_name(ev, d, name, sizeof name) && has_dir(h, name))
			mask |= 1u << d;
	if (!mask)
		return;
	actor = dk_hookq_actor(ev);
	if ((j = dk_hookq_push(&h->q, ev->json.p, ev->json.n, actor,
	                       ev->synthetic)) < 0) {
		h->skipped++;
		identify(ev, id, sizeof id);
		dk_port_log(DK_LOG_WARN, "hook queue full (%d events waiting): "
		            "skipped the hooks of %s", h->q.count, id);
		return;
	}
	h->run_dirs[j] = (unsigned char)mask;
	h->held[j] = 0;
	for (d = 0; d < 3; d++)
		h->coalesced[j][d] = 1;
	if (h->db.min_ms > 0 && !h->flushing)
		hold(h, j, mask, actor, ev);
}

/* ---- running ----------------------------------------------------------- */

static int name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static void feed(struct dk_hooks *h, struct dk_hook_slot *s)
{
	size_t len;
	const char *json = dk_hookq_json(&h->q, s->job, &len);

	while (s->stdin_fd >= 0) {
		long w;
		if (s->written < len)
			w = dk_port_write(s->stdin_fd, json + s->written,
			                  len - s->written);
		else
			w = dk_port_write(s->stdin_fd, "\n", 1);
		if (w == DK_AGAIN)
			return;
		/* An error is a hook that closed its stdin: its business. */
		if (w > 0)
			s->written += (size_t)w;
		if (w <= 0 || s->written == len + 1) {
			dk_port_close(s->stdin_fd);
			s->stdin_fd = -1;
		}
	}
}

static void copy_arg(char *dst, struct dk_str s)
{
	size_t n = s.n < DK_FIELD_MAX - 1 ? s.n : DK_FIELD_MAX - 1;
	memcpy(dst, s.p, n);
	dst[n] = '\0'; /* a NUL inside cuts it: argv cannot hold one */
}

/* Start the slot's next script; when none is left, the job is done. */
static void next_script(struct dk_hooks *h, struct dk_hook_slot *s)
{
	char dir[DK_HOOK_PATH_MAX], name[256], exec_name[256 + 2], why[160];
	size_t len;
	const char *json = dk_hookq_json(&h->q, s->job, &len);
	int r, dfd;

	if (dk_event_parse(&h->ev, json, len) != DK_OK)
		s->dir = 3; /* it parsed when queued; cannot happen */
	h->ev.synthetic = dk_hookq_synthetic(&h->q, s->job);
	identify(&h->ev, s->ident, sizeof s->ident);
	while (s->dir < 3 && !h->stopping) {
		char sub[DK_HOOK_PATH_MAX];
		char *argv[5];
		int n;

		/* A directory whose run a later event of the burst took
		 * over (--hook-debounce) is left out too. */
		if (!(h->run_dirs[s->job] >> s->dir & 1) ||
		    !dk_hook_dir_name(&h->ev, s->dir, sub, sizeof sub) || !has_dir(h, sub)) {
			s->dir++;
			s->last[0] = '\0';
			continue;
		}
		n = snprintf(dir, sizeof dir, "%s/%s", h->dir, sub);
		r = n > 0 && (size_t)n < sizeof dir
		    ? list_next(h, dir, sub, s->last, name, sizeof name) : 0;
		if (r <= 0) {
			if (r < 0)
				dk_port_log(DK_LOG_ERR, "hooks: cannot read %s: %s",
				            dir, dk_port_errstr());
			s->dir++;
			s->last[0] = '\0';
			continue;
		}
		snprintf(s->last, sizeof s->last, "%s", name);
		n = snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
		if (n < 0 || (size_t)n >= sizeof s->path)
			continue;
		if (!name_ok(name)) {
			dk_port_log(DK_LOG_INFO, "hook %s skipped: name is not "
			            "[A-Za-z0-9_-]+", s->path);
			continue;
		}
		if (dk_port_script_open(h->dir, sub, name, &dfd, why,
		                        sizeof why) != DK_OK) {
			dk_port_log(DK_LOG_ERR, "hook %s refused: %s", s->path, why);
			continue;
		}
		dk_hookenv_build(&h->env, &h->ev, h->host, dk_port_environ());
		if (h->db.min_ms > 0)
			debounced_var(h, h->coalesced[s->job][s->dir]);
		if (h->env.notes[0])
			dk_port_log(DK_LOG_WARN, "hook %s for %s: %s", s->path, s->ident,
			            h->env.notes);
		copy_arg(h->argv_buf[0], h->ev.type);
		copy_arg(h->argv_buf[1], h->ev.base);
		copy_arg(h->argv_buf[2], h->ev.id);
		argv[0] = s->path;
		argv[1] = h->argv_buf[0];
		argv[2] = h->argv_buf[1];
		argv[3] = h->argv_buf[2];
		argv[4] = NULL;
		/* Run in the directory just checked, by its descriptor (see
		 * dk_port_script_open); argv[0] keeps the whole path. */
		snprintf(exec_name, sizeof exec_name, "./%s", name);
		r = dk_port_spawn_at(dfd, exec_name, argv, h->env.vars, h->cred,
		                     &s->pid, &s->stdin_fd, why, sizeof why);
		dk_port_close(dfd);
		if (r != DK_OK) {
			h->failed++;
			dk_port_log(DK_LOG_ERR, "hook %s for %s could not start: %s",
			            s->path, s->ident, why);
			continue;
		}
		h->run++;
		s->pgid = s->pid;
		s->written = 0;
		s->killed = K_NONE;
		s->started_ms = dk_port_now_ms();
		s->deadline_ms = s->started_ms + h->timeout_ms;
		feed(h, s);
		return;
	}
	/* Every script ran: the job is done, its ring space free. */
	dk_hookq_done(&h->q, s->job);
	s->job = -1;
}

/* The slot's script is over (its leader reaped, and its group killed if
 * it came to that): log how it ended, forget the group, go on. */
static void finish(struct dk_hooks *h, struct dk_hook_slot *s)
{
	s->pgid = 0;
	if (s->killed == K_STOP) {
		h->failed++;
		dk_port_log(DK_LOG_ERR, "hook %s for %s killed at stop: "
		            "killed its process group", s->path, s->ident);
	} else if (s->killed != K_NONE) {
		h->failed++;
		h->timeouts++;
		dk_port_log(DK_LOG_ERR, "hook %s for %s timed out after "
		            "%lld ms: killed its process group", s->path, s->ident,
		            (long long)h->timeout_ms);
	} else if (s->code > 0) {
		h->failed++;
		dk_port_log(DK_LOG_ERR, "hook %s for %s exited with status %d",
		            s->path, s->ident, s->code);
	} else if (s->code < 0) {
		h->failed++;
		dk_port_log(DK_LOG_ERR, "hook %s for %s killed by signal %d",
		            s->path, s->ident, -s->code);
	}
	next_script(h, s);
}

static void reap(struct dk_hooks *h)
{
	int code, pid, i;

	if (!h->reap_due)
		return;
	h->reap_due = 0;
	while ((pid = dk_port_reap(&code)) > 0) {
		struct dk_hook_slot *s = NULL;

		for (i = 0; i < h->max_jobs; i++)
			if (h->slots[i].pid == pid)
				s = &h->slots[i];
		if (!s)
			continue;
		if (s->stdin_fd >= 0) {
			dk_port_close(s->stdin_fd);
			s->stdin_fd = -1;
		}
		s->pid = 0;
		s->code = code;
		/* TERM sent: the leader may be gone while a child that
		 * ignores TERM lives on. The slot keeps the group until its
		 * KILL at the end of the grace (timeouts()), unless it is
		 * empty already. */
		if (s->killed == K_TERM && dk_port_group_alive(s->pgid))
			continue;
		finish(h, s);
	}
}

static void timeouts(struct dk_hooks *h, int64_t now)
{
	int i;

	for (i = 0; i < h->max_jobs; i++) {
		struct dk_hook_slot *s = &h->slots[i];
		if (s->pgid <= 0 || now < s->deadline_ms)
			continue;
		if (s->killed == K_NONE) {
			dk_port_kill_group(s->pgid, DK_KILL_TERM);
			s->killed = K_TERM;
			s->deadline_ms = now + DK_HOOK_GRACE_MS;
		} else if (s->killed == K_TERM) {
			dk_port_kill_group(s->pgid, DK_KILL_KILL);
			s->killed = K_KILL;
			s->deadline_ms = INT64_MAX;
			if (s->pid == 0) /* the leader was reaped: nothing to wait for */
				finish(h, s);
		}
	}
}

static void start_jobs(struct dk_hooks *h)
{
	int i;

	for (i = 0; i < h->max_jobs && !h->stopping; i++) {
		struct dk_hook_slot *s = &h->slots[i];
		if (s->job >= 0)
			continue;
		/* Bounded scan: the queue head is where the work is,
		 * past the held runs (fewer than the table's entries). */
		if ((s->job = dk_hookq_take(&h->q, 64 + h->db.n)) < 0)
			return;
		s->dir = 0;
		s->last[0] = '\0';
		next_script(h, s);
	}
}

void dk_hook_service(struct dk_hooks *h)
{
	int i;

	if (!h->dir)
		return;
	reap(h);
	timeouts(h, dk_port_now_ms());
	release_due(h);
	for (i = 0; i < h->max_jobs; i++)
		if (h->slots[i].stdin_fd >= 0)
			feed(h, &h->slots[i]);
	start_jobs(h);
}

int dk_hook_pollfds(const struct dk_hooks *h, struct dk_pollfd *fds, int cap)
{
	int i, n = 0;

	for (i = 0; h->dir && i < h->max_jobs && n < cap; i++)
		if (h->slots[i].stdin_fd >= 0) {
			fds[n].fd = h->slots[i].stdin_fd;
			fds[n].events = DK_POLL_OUT;
			fds[n++].revents = 0;
		}
	return n;
}

int dk_hook_next_ms(const struct dk_hooks *h)
{
	int64_t next = INT64_MAX, now;
	int i;

	for (i = 0; h->dir && i < h->max_jobs; i++)
		if (h->slots[i].pgid > 0 && h->slots[i].deadline_ms < next)
			next = h->slots[i].deadline_ms;
	now = dk_port_now_ms();
	if (h->dir && h->db.n > 0) {
		int64_t held = dk_debounce_next_ms(&h->db, now);
		if (held >= 0 && now + held < next)
			next = now + held;
	}
	if (next == INT64_MAX)
		return -1;
	return next <= now ? 0 : next - now > 1000000 ? 1000000 : (int)(next - now);
}

int dk_hook_running(const struct dk_hooks *h)
{
	int i, n = 0;
	for (i = 0; h->dir && i < h->max_jobs; i++)
		n += h->slots[i].pgid > 0;
	return n;
}

int dk_hook_queued(const struct dk_hooks *h)
{
	return h->dir ? dk_hookq_queued(&h->q) + held_jobs(h) : 0;
}

/* Drop what waits; the held runs (--hook-debounce) run with run_held, else
 * they are dropped too. Nothing is held from now on. */
static void drop(struct dk_hooks *h, int run_held)
{
	int dropped = 0, held = h->db.n;

	h->flushing = 1;
	if (run_held)
		dropped = dk_hookq_drop(&h->q);
	while (h->db.n > 0)
		release(h, 0);
	if (!run_held)
		dropped = dk_hookq_drop(&h->q);
	if (dropped > 0) {
		h->skipped += (uint64_t)dropped;
		dk_port_log(DK_LOG_WARN, "stopping: the hooks of %d queued events "
		            "will not run", dropped);
	}
	if (run_held && held > 0)
		dk_port_log(DK_LOG_INFO, "stopping: %d debounced hook runs start "
		            "now, each with its burst's last event", held);
}

void dk_hook_drop_queued(struct dk_hooks *h)
{
	if (h->dir)
		drop(h, 1);
}

void dk_hook_stop(struct dk_hooks *h, int kill_now)
{
	int i;

	if (!h->dir)
		return;
	h->stopping = 1;
	drop(h, 0);
	for (i = 0; kill_now && i < h->max_jobs; i++) {
		struct dk_hook_slot *s = &h->slots[i];
		if (s->pgid <= 0 || s->killed == K_STOP)
			continue;
		dk_port_kill_group(s->pgid, DK_KILL_KILL);
		s->killed = K_STOP;
		s->deadline_ms = INT64_MAX;
		if (s->pid == 0) /* only the group was left: done with it */
			finish(h, s);
	}
}
