/* config.h - every compile-time size and default of dockev, in one place.
 *
 * Each value is a #ifndef default: override with -DNAME=VALUE, or put the
 * overrides in a file and build with CFLAGS=-DDK_USER_CONFIG='"myconfig.h"'.
 * The #error checks at the end say which sizes must fit together.
 *
 * Memory budget (all static, no heap): the stream buffer, the token array and
 * the hook env/argv scratch dominate; see README "Memory".
 */
#ifndef DK_CONFIG_H
#define DK_CONFIG_H

#ifdef DK_USER_CONFIG
#include DK_USER_CONFIG
#endif

/* Receive buffer: HTTP head, then decoded body. One event record must fit in
 * it whole (events with many compose labels are several KiB). */
#ifndef DK_BUF_SIZE
#define DK_BUF_SIZE (64 * 1024)
#endif

/* Largest HTTP response head accepted; a longer head is a malformed answer. */
#ifndef DK_HEAD_MAX
#define DK_HEAD_MAX (8 * 1024)
#endif

/* Most headers in one response head that are looked at. */
#ifndef DK_HEAD_FIELDS_MAX
#define DK_HEAD_FIELDS_MAX 64
#endif

/* Longest chunk-size line: hex digits allowed (8 -> chunks below 4 GiB). */
#ifndef DK_CHUNK_HEX_MAX
#define DK_CHUNK_HEX_MAX 8
#endif

/* Longest chunk extension or trailer line, bytes. */
#ifndef DK_CHUNK_LINE_MAX
#define DK_CHUNK_LINE_MAX 4096
#endif

/* jsmn tokens per event: 2 per attribute plus ~20 for the envelope. */
#ifndef DK_TOKENS_MAX
#define DK_TOKENS_MAX 1024
#endif

/* Unescaped copies of Type, Action, Actor.ID and scope held by the event view
 * when the JSON text has escapes in them (rare). */
#ifndef DK_FIELD_MAX
#define DK_FIELD_MAX 512
#endif

/* Request line and headers we send. */
#ifndef DK_REQUEST_MAX
#define DK_REQUEST_MAX 4096
#endif

/* The filters JSON built from -f options, before URL encoding. */
#ifndef DK_FILTERS_MAX
#define DK_FILTERS_MAX 1024
#endif

/* Most -f options. */
#ifndef DK_FILTER_ARGS_MAX
#define DK_FILTER_ARGS_MAX 32
#endif

/* Events delivered at the resume point's timeNano remembered for dedupe. */
#ifndef DK_DEDUPE_MAX
#define DK_DEDUPE_MAX 32
#endif

/* A resume asks since= this many ns before the last delivered event, so
 * that every engine sends that event again (dedupe drops it; its coming
 * back shows the engine's history still reaches the resume point).
 * dockerd's since= is inclusive and exact; Podman 4.3's is exclusive and
 * parsed through a float64 (about 240 ns resolution at today's times). */
#ifndef DK_SINCE_EARLY_NS
#define DK_SINCE_EARLY_NS 1000
#endif

/* --state FILE: the resume point is written at most once per this many
 * ms (and at exit), so a busy engine costs a flash-backed board one small
 * write every few seconds, not one per event. */
#ifndef DK_STATE_INTERVAL_MS
#define DK_STATE_INTERVAL_MS 5000
#endif

/* Host names, unix socket paths (sun_path is 108 on Linux; longer is
 * rejected, never truncated). */
#ifndef DK_HOST_MAX
#define DK_HOST_MAX 256
#endif
#ifndef DK_UNIX_PATH_MAX
#define DK_UNIX_PATH_MAX 108
#endif

/* Paths of the TLS files (--tlscacert..., $DOCKER_CERT_PATH/ca.pem). */
#ifndef DK_TLS_PATH_MAX
#define DK_TLS_PATH_MAX 1024
#endif

/* The newest Engine API version whose events dockev was checked against
 * (1.52, Docker 29: no status/id/from); an engine with a lower newest
 * version is asked at that one, as the docker CLI does. */
#ifndef DK_API_VERSION
#define DK_API_VERSION "1.52"
#endif

/* Timeouts, milliseconds. An idle events stream is normal and has none. */
#ifndef DK_CONNECT_TIMEOUT_MS
#define DK_CONNECT_TIMEOUT_MS 5000
#endif
#ifndef DK_HEAD_TIMEOUT_MS
#define DK_HEAD_TIMEOUT_MS 10000
#endif

/* The engine ends the events stream at --until by its own clock; an end
 * this long before --until by ours is taken as a failure, not the end. */
#ifndef DK_UNTIL_SLACK_NS
#define DK_UNTIL_SLACK_NS 2000000000LL
#endif

/* Back-off defaults: first delay, cap, and how long a stream must have been
 * healthy before the next failure starts again from the first delay. */
#ifndef DK_BACKOFF_MIN_MS
#define DK_BACKOFF_MIN_MS 500
#endif
#ifndef DK_BACKOFF_MAX_MS
#define DK_BACKOFF_MAX_MS 30000
#endif
#ifndef DK_BACKOFF_RESET_MS
#define DK_BACKOFF_RESET_MS 60000
#endif

/* TCP keepalive: idle seconds, probe interval, probe count.
 * A vanished peer is noticed after about IDLE + INTVL * CNT seconds. */
#ifndef DK_KEEPALIVE_IDLE_S
#define DK_KEEPALIVE_IDLE_S 30
#endif
#ifndef DK_KEEPALIVE_INTVL_S
#define DK_KEEPALIVE_INTVL_S 10
#endif
#ifndef DK_KEEPALIVE_CNT
#define DK_KEEPALIVE_CNT 3
#endif

/* stdout buffer for --json and text output (flushed before every wait). */
#ifndef DK_OUT_BUF
#define DK_OUT_BUF (16 * 1024)
#endif

/* Hooks. The queue holds up to --hook-queue events (at most
 * DK_HOOK_QUEUE_MAX) in a ring of DK_HOOK_EVENT_AVG bytes per event
 * (static; only the part --hook-queue uses is ever touched); an event that
 * does not fit is skipped and counted. */
#ifndef DK_HOOK_QUEUE_MAX
#define DK_HOOK_QUEUE_MAX 256
#endif
#ifndef DK_HOOK_QUEUE_DEFAULT
#define DK_HOOK_QUEUE_DEFAULT 64
#endif
#ifndef DK_HOOK_EVENT_AVG
#define DK_HOOK_EVENT_AVG 4096
#endif
/* Hooks running at once, at most (--hook-jobs, default 4). */
#ifndef DK_HOOK_JOBS_MAX
#define DK_HOOK_JOBS_MAX 32
#endif
#ifndef DK_HOOK_JOBS_DEFAULT
#define DK_HOOK_JOBS_DEFAULT 4
#endif
/* One hook environment: bytes for our variables, variables in all (the
 * agent's own included), and the longest value before it is cut. */
#ifndef DK_HOOK_ENV_BYTES
#define DK_HOOK_ENV_BYTES (64 * 1024)
#endif
#ifndef DK_HOOK_ENV_VARS
#define DK_HOOK_ENV_VARS 512
#endif
/* Of those, the agent's own environment at most (the first ones in
 * environ order; the rest dropped, with one warning at start), leaving
 * the others for the event's DOCKEV_* variables. */
#ifndef DK_HOOK_OWN_VARS
#define DK_HOOK_OWN_VARS 256
#endif
#ifndef DK_HOOK_VALUE_MAX
#define DK_HOOK_VALUE_MAX 4096
#endif
/* Longest attribute key mapped to a DOCKEV_ATTR_<KEY> name (a longer one
 * is cut), and the name with its prefix. */
#ifndef DK_HOOK_KEY_MAX
#define DK_HOOK_KEY_MAX 128
#endif
#define DK_HOOK_NAME_MAX (sizeof "DOCKEV_ATTR_" + DK_HOOK_KEY_MAX)
/* Attributes of one event the environment builder looks at: all there
 * can be, as each takes two tokens. */
#define DK_HOOK_ATTRS_MAX (DK_TOKENS_MAX / 2)
/* Names of the *.d directories in the hooks directory, all together. */
#ifndef DK_HOOK_DIRS_BYTES
#define DK_HOOK_DIRS_BYTES 4096
#endif
/* Script directory listings kept between hook starts (one stat per step
 * instead of a directory pass), and the bytes of names each holds; a
 * directory with more is read the long way. */
#ifndef DK_HOOK_LISTS
#define DK_HOOK_LISTS 8
#endif
#ifndef DK_HOOK_LIST_BYTES
#define DK_HOOK_LIST_BYTES 1024
#endif
/* A directory changed this recently may change again within the same
 * timestamp tick (file systems stamp with a coarse clock): its listing is
 * not kept until it is older. */
#ifndef DK_HOOK_RACY_NS
#define DK_HOOK_RACY_NS 2000000000
#endif
/* A path in the hooks directory: DIR/T.A.d/script. */
#ifndef DK_HOOK_PATH_MAX
#define DK_HOOK_PATH_MAX 1024
#endif
/* Timeout default, and the grace between SIGTERM and SIGKILL, ms. */
#ifndef DK_HOOK_TIMEOUT_MS
#define DK_HOOK_TIMEOUT_MS 30000
#endif
#ifndef DK_HOOK_GRACE_MS
#define DK_HOOK_GRACE_MS 2000
#endif

#if DK_HEAD_MAX > DK_BUF_SIZE
#error "DK_HEAD_MAX must fit in DK_BUF_SIZE"
#endif
#if DK_BUF_SIZE < 4096
#error "DK_BUF_SIZE below 4 KiB cannot hold ordinary events"
#endif
#if DK_TOKENS_MAX < 32
#error "DK_TOKENS_MAX too small for the event envelope"
#endif
#if DK_CHUNK_HEX_MAX > 15
#error "DK_CHUNK_HEX_MAX over 15 digits overflows a 64-bit size"
#endif
#if DK_HOOK_QUEUE_DEFAULT > DK_HOOK_QUEUE_MAX || DK_HOOK_JOBS_DEFAULT > DK_HOOK_JOBS_MAX
#error "hook defaults above their maximum"
#endif
#if defined(DK_POLL_MAX) && DK_HOOK_JOBS_MAX + 1 > DK_POLL_MAX
#error "DK_HOOK_JOBS_MAX + 1 fds must fit DK_POLL_MAX"
#endif
#if DK_HOOK_OWN_VARS + 16 > DK_HOOK_ENV_VARS
#error "DK_HOOK_ENV_VARS must leave room for the DOCKEV_* variables after DK_HOOK_OWN_VARS"
#endif
#if DK_HOOK_VALUE_MAX * 2 > DK_HOOK_ENV_BYTES
#error "DK_HOOK_ENV_BYTES must hold at least two values of DK_HOOK_VALUE_MAX"
#endif
#if DK_UNIX_PATH_MAX > 108
#error "DK_UNIX_PATH_MAX cannot exceed sun_path"
#endif

#endif
