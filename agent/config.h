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
#define DK_REQUEST_MAX 16384
#endif

/* The filters JSON built from -f options, before URL encoding. */
#ifndef DK_FILTERS_MAX
#define DK_FILTERS_MAX 4096
#endif

/* Most -f options. */
#ifndef DK_FILTER_ARGS_MAX
#define DK_FILTER_ARGS_MAX 64
#endif

/* Resume and dedupe (resume.h). The last DK_RESUME_RECENT delivered events
 * are remembered (timeNano and identity, 16 bytes each) to drop what a
 * resume brings back again; a resume asks since= DK_RESUME_MARGIN_NS before
 * the last event, because engines publish events out of time order
 * (dockerd by up to 5.9 ms in a churn soak) and Podman's since= is
 * exclusive and parsed through a float64. Duplicates can pass only when
 * more than DK_RESUME_RECENT events lie within the margin (6,400 events/s
 * at the defaults). */
#ifndef DK_RESUME_RECENT
#define DK_RESUME_RECENT 128
#endif
#ifndef DK_RESUME_MARGIN_NS
#define DK_RESUME_MARGIN_NS 20000000LL
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

/* dockev's own version (User-Agent, --version). */
#ifndef DK_VERSION
#define DK_VERSION "0.1.0"
#endif

/* JSON nesting accepted in an event (engines send 3 levels: the event,
 * Actor, Attributes); deeper is not an event. */
#ifndef DK_JSON_DEPTH
#define DK_JSON_DEPTH 32
#endif

/* Error and ping answers: a body is read whole (it is logged, not kept)
 * within DK_SMALL_BODY_MS; a ping whose body is at most DK_PING_REUSE_MAX
 * bytes leaves its connection for the events request. */
#ifndef DK_SMALL_BODY_MS
#define DK_SMALL_BODY_MS 2000
#endif
#ifndef DK_PING_REUSE_MAX
#define DK_PING_REUSE_MAX 1024
#endif
/* An engine's refusal as logged (its "message"), and the last failure as
 * logged and carried by dockev disconnect. */
#ifndef DK_MESSAGE_MAX
#define DK_MESSAGE_MAX 200
#endif
#ifndef DK_WHY_MAX
#define DK_WHY_MAX 512
#endif

/* The newest Engine API version whose events dockev was checked against
 * (1.52, Docker 29: no status/id/from); an engine with a lower newest
 * version is asked at that one, as the docker CLI does. */
/* docker CLI contexts: config.json and a context's meta.json are read
 * whole into a buffer of DK_CONTEXT_FILE_MAX bytes (a config.json with
 * many registry logins is a few KiB) and tokenized into
 * DK_CONTEXT_TOKENS_MAX jsmn tokens (16 bytes each; only the pages a file
 * needs are touched); a context's name and its endpoint's Host string;
 * paths under $DOCKER_CONFIG. Longer is a configuration error, never cut. */
#ifndef DK_CONTEXT_FILE_MAX
#define DK_CONTEXT_FILE_MAX (64 * 1024)
#endif
#ifndef DK_CONTEXT_TOKENS_MAX
#define DK_CONTEXT_TOKENS_MAX 2048
#endif
#ifndef DK_CONTEXT_NAME_MAX
#define DK_CONTEXT_NAME_MAX 256
#endif
#ifndef DK_CONTEXT_HOST_MAX
#define DK_CONTEXT_HOST_MAX 512
#endif
#ifndef DK_CONFIG_PATH_MAX
#define DK_CONFIG_PATH_MAX 1024
#endif

#ifndef DK_API_VERSION
#define DK_API_VERSION "1.52"
#endif

/* The oldest API version any engine serves (Docker's minimum was 1.12 up
 * to Docker 24): a fixed version below it is refused at start. */
#ifndef DK_API_VERSION_OLDEST
#define DK_API_VERSION_OLDEST "1.12"
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

/* MQTT: a broker sends the publisher only small packets (CONNACK, PUBACK,
 * PINGRESP); anything larger than this is refused as oversized. */
#ifndef DK_MQTT_RX_MAX
#define DK_MQTT_RX_MAX 256
#endif
/* The MQTT publisher (--mqtt; agent/mqttc.c). DK_MQTT 0 builds without it
 * (make MQTT=none). */
#ifndef DK_MQTT
#define DK_MQTT 1
#endif
/* Send buffer: the publishes not yet acknowledged and those not yet sent,
 * in order, each as its encoded packet (event JSON, topic, 5 to 9 bytes of
 * header) plus 16 bytes of bookkeeping. While the broker is away events
 * wait here; when it is full, new events are not published (counted). */
#ifndef DK_MQTT_TX_BUF
#define DK_MQTT_TX_BUF (64 * 1024)
#endif
/* QoS 1 publishes sent and not yet acknowledged, at most. */
#ifndef DK_MQTT_INFLIGHT
#define DK_MQTT_INFLIGHT 16
#endif
/* CONNECT, PINGREQ, the retained status and a PUBACK, queued before the
 * publishes; CONNECT carries the client id, will topic, user, password. */
#ifndef DK_MQTT_CTL_MAX
#define DK_MQTT_CTL_MAX 1280
#endif
/* Client id, user name, password and topic template, longest. */
#ifndef DK_MQTT_ID_MAX
#define DK_MQTT_ID_MAX 128
#endif
#ifndef DK_MQTT_USER_MAX
#define DK_MQTT_USER_MAX 256
#endif
#ifndef DK_MQTT_PASS_MAX
#define DK_MQTT_PASS_MAX 256
#endif
#ifndef DK_MQTT_TOPIC_MAX
#define DK_MQTT_TOPIC_MAX 256
#endif
/* Keepalive sent in CONNECT; PINGREQ after this much silence, and a
 * broker that answers neither a PINGREQ nor the oldest publish within it
 * is taken for gone. */
#ifndef DK_MQTT_KEEPALIVE_S
#define DK_MQTT_KEEPALIVE_S 30
#endif
/* At exit, how long the publisher waits for what is in flight. */
/* --mqtt's catch-up connection (agent/catchup.c): its receive buffer holds
 * one event of the engine's history at least; as large as the events
 * stream's, so that every event the local side takes can be published. */
#ifndef DK_CATCHUP_BUF
#define DK_CATCHUP_BUF DK_BUF_SIZE
#endif
#ifndef DK_MQTT_DRAIN_MS
#define DK_MQTT_DRAIN_MS 2000
#endif

/* A synthetic event's JSON: the URL twice and a reason, each escaped (a
 * control byte as \u00XX), and its fixed members. */
#ifndef DK_SYNTH_MAX
#define DK_SYNTH_MAX 4096
#endif

/* stdout (output.c): the one-line printer's longest line (longer ones are
 * cut, marked "..."), and the buffer where lines wait for a reader. Before
 * it delivers a record, the loop waits until the buffer has room for the
 * record as printed plus one synthetic line (a resync before it), so the
 * buffer must hold the largest record and two lines. Only what waits is
 * touched: a reader that keeps up keeps it to its first pages. */
#ifndef DK_LINE_MAX
#define DK_LINE_MAX (8 * 1024)
#endif
#ifndef DK_OUTPUT_BUF
#define DK_OUTPUT_BUF (DK_BUF_SIZE + 3 * DK_LINE_MAX)
#endif
/* stdout is written once this much waits in the buffer (or when the loop
 * waits, or when the buffer is short): at full speed the buffer would
 * otherwise fill to its end before each write and every page of it stay
 * resident (88 KiB, a third of the agent's own memory). --json records
 * are not copied there while stdout keeps up: they are written from the
 * read buffer, once per read (output.c). */
#ifndef DK_OUTPUT_FLUSH
#define DK_OUTPUT_FLUSH (16 * 1024)
#endif
#if DK_LINE_MAX < DK_SYNTH_MAX
#error "DK_LINE_MAX must hold a synthetic event's line (DK_SYNTH_MAX)"
#endif
#if DK_OUTPUT_FLUSH > DK_OUTPUT_BUF
#error "DK_OUTPUT_FLUSH must not exceed DK_OUTPUT_BUF"
#endif
#if DK_OUTPUT_BUF < DK_BUF_SIZE + 2 * DK_LINE_MAX + 2
#error "DK_OUTPUT_BUF must hold the largest record and two lines"
#endif

/* --snapshot: one element of a list answer (a container, network or
 * volume as /containers/json, /networks, /volumes describe it) must fit in
 * DK_LIST_BUF (larger ones are skipped and counted), its jsmn tokens in
 * DK_LIST_TOKENS_MAX, and the event made of it in DK_LIST_EVENT_MAX. */
#ifndef DK_LIST_BUF
#define DK_LIST_BUF (16 * 1024)
#endif
#ifndef DK_LIST_TOKENS_MAX
#define DK_LIST_TOKENS_MAX DK_TOKENS_MAX
#endif
#ifndef DK_LIST_EVENT_MAX
#define DK_LIST_EVENT_MAX (16 * 1024)
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
/* --hook-debounce: (script directory, actor) pairs held at once; one more
 * is not held but runs at once (counted, logged once). Each held run is a
 * queued event, so it also counts against --hook-queue. Without MAX, MAX is
 * 10 x MIN, at most DK_HOOK_DEBOUNCE_CAP_MS. */
#ifndef DK_HOOK_DEBOUNCE_MAX
#define DK_HOOK_DEBOUNCE_MAX 32
#endif
#ifndef DK_HOOK_DEBOUNCE_CAP_MS
#define DK_HOOK_DEBOUNCE_CAP_MS 300000
#endif
/* --hook-user: supplementary groups of the hook user, at most (more: the
 * agent refuses to start). */
#ifndef DK_HOOK_GROUPS_MAX
#define DK_HOOK_GROUPS_MAX 64
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
/* The one wait polls the stream's fd, every running hook's stdin pipe and
 * the signal pipe: at most this many fds besides the signal pipe. */
#ifndef DK_POLL_MAX
#define DK_POLL_MAX 64
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
#if DK_HOOK_DEBOUNCE_MAX < 1 || DK_HOOK_DEBOUNCE_MAX > DK_HOOK_QUEUE_MAX
#error "DK_HOOK_DEBOUNCE_MAX must be from 1 to DK_HOOK_QUEUE_MAX (each held run is a queued event)"
#endif
#if DK_HOOK_GROUPS_MAX < 1
#error "DK_HOOK_GROUPS_MAX must be at least 1"
#endif
#if DK_HOOK_JOBS_MAX + 1 > DK_POLL_MAX
#error "DK_HOOK_JOBS_MAX + 1 fds must fit DK_POLL_MAX"
#endif
#if DK_REQUEST_MAX < 3 * DK_FILTERS_MAX + DK_HOST_MAX + 512
#error "DK_REQUEST_MAX must hold the filters JSON URL-encoded (3 bytes a byte at most), since, until and the headers"
#endif
#if DK_WHY_MAX < DK_MESSAGE_MAX + 160
#error "DK_WHY_MAX must hold an engine's message and what dockev adds to it"
#endif
#if DK_JSON_DEPTH < 3
#error "DK_JSON_DEPTH below 3 refuses every event"
#endif
#if DK_HOOK_OWN_VARS + 16 > DK_HOOK_ENV_VARS
#error "DK_HOOK_ENV_VARS must leave room for the DOCKEV_* variables after DK_HOOK_OWN_VARS"
#endif
#if DK_HOOK_VALUE_MAX * 2 > DK_HOOK_ENV_BYTES
#error "DK_HOOK_ENV_BYTES must hold at least two values of DK_HOOK_VALUE_MAX"
#endif
#if DK_RESUME_RECENT < 1 || DK_RESUME_MARGIN_NS < 1000
#error "DK_RESUME_RECENT must be at least 1, DK_RESUME_MARGIN_NS at least 1 us (Podman's since= is exclusive)"
#endif
#if DK_CONTEXT_TOKENS_MAX < 8 || DK_CONTEXT_FILE_MAX < 256
#error "DK_CONTEXT_TOKENS_MAX / DK_CONTEXT_FILE_MAX too small for a meta.json"
#endif
#if DK_CONFIG_PATH_MAX > DK_TLS_PATH_MAX
#error "context TLS file paths (DK_CONFIG_PATH_MAX) must fit DK_TLS_PATH_MAX"
#endif
#if DK_MQTT_INFLIGHT < 1 || DK_MQTT_INFLIGHT > 65535
#error "DK_MQTT_INFLIGHT must be 1..65535 (packet identifiers are 16 bits)"
#endif
#if DK_MQTT_TX_BUF < 4096
#error "DK_MQTT_TX_BUF below 4 KiB cannot hold ordinary events"
#endif
#if DK_MQTT_CTL_MAX < DK_MQTT_ID_MAX + DK_MQTT_USER_MAX + DK_MQTT_PASS_MAX + DK_MQTT_ID_MAX + 64
#error "DK_MQTT_CTL_MAX must hold a CONNECT with the longest id, will topic, user and password"
#endif
#if DK_HOOK_JOBS_MAX + 4 > DK_POLL_MAX
#error "DK_HOOK_JOBS_MAX + 4 fds (the stream, stdout, the broker, the catch-up) must fit DK_POLL_MAX"
#endif
#if DK_CATCHUP_BUF < DK_HEAD_MAX
#error "DK_CATCHUP_BUF must hold a response head (DK_HEAD_MAX)"
#endif
#if DK_MQTT_RX_MAX < 4
#error "DK_MQTT_RX_MAX must hold a CONNACK and a PUBACK (2 bytes each after the header)"
#endif
#if DK_UNIX_PATH_MAX > 108
#error "DK_UNIX_PATH_MAX cannot exceed sun_path"
#endif
#if DK_LIST_BUF < 1024 || DK_LIST_EVENT_MAX < 1024 || DK_LIST_TOKENS_MAX < 32
#error "--snapshot sizes too small for one container (DK_LIST_BUF, DK_LIST_EVENT_MAX, DK_LIST_TOKENS_MAX)"
#endif

#endif
