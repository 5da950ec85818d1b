/* test_object.c - list elements as engine-shaped events (object.h):
 * dockerd's and Podman's container, network and volume summaries, labels
 * and escapes kept as sent, missing or odd members, small buffers, the
 * "dockev":true mark; and
 * whole list answers framed by array.c and converted, fed whole, byte by
 * byte and split at every position. */
#include "t.h"
#include "array.h"
#include "err.h"
#include "event.h"
#include "object.h"

#define T0 1795792645501499766LL
#define TAIL ",\"scope\":\"local\",\"time\":1795792645,\"timeNano\":1795792645501499766}"

/* dockerd 28's ContainerSummary, trimmed of nothing that matters: nested
 * objects and arrays (Ports, Mounts, NetworkSettings) to be skipped, a
 * label named "name" (the attribute wins, as in the engine's events), an
 * escaped label value kept escaped. */
static const char c1[] =
	"{\"Id\":\"839ac60a1a6bf439cc4fbce643363fd2c898ea19c8c3d63f260e665ca6bc087a\","
	"\"Names\":[\"/c1\",\"/other/alias\"],\"Image\":\"tiny:1\",\"ImageID\":\"sha256:0123\","
	"\"Command\":\"sleep 1000\",\"Created\":1795792647,\"Ports\":[{\"PrivatePort\":80,\"Type\":\"tcp\"}],"
	"\"Labels\":{\"com.example.role\":\"web\",\"name\":\"label-name\",\"quote\":\"a\\\"b\\u00e9\",\"n\":\"\"},"
	"\"State\":\"running\",\"Status\":\"Up 2 minutes\",\"HostConfig\":{\"NetworkMode\":\"bridge\"},"
	"\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.2\",\"Aliases\":null}}},"
	"\"Mounts\":[]}";
static const char c1_ev[] =
	"{\"dockev\":true,\"Type\":\"container\",\"Action\":\"exists\",\"Actor\":{\"ID\":"
	"\"839ac60a1a6bf439cc4fbce643363fd2c898ea19c8c3d63f260e665ca6bc087a\","
	"\"Attributes\":{\"name\":\"c1\",\"image\":\"tiny:1\",\"state\":\"running\","
	"\"status\":\"Up 2 minutes\",\"com.example.role\":\"web\",\"quote\":\"a\\\"b\\u00e9\","
	"\"n\":\"\"}}" TAIL;

/* Exited, no labels (null), whitespace as a pretty printer leaves it. */
static const char c2[] =
	"{ \"Id\" : \"aa11\", \"Names\" : [ \"/c2\" ], \"Image\" : \"sha256:ff\",\n"
	"  \"Labels\" : null, \"State\" : \"exited\", \"Status\" : \"Exited (0) 3 seconds ago\" }";
static const char c2_ev[] =
	"{\"dockev\":true,\"Type\":\"container\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"aa11\","
	"\"Attributes\":{\"name\":\"c2\",\"image\":\"sha256:ff\",\"state\":\"exited\","
	"\"status\":\"Exited (0) 3 seconds ago\"}}" TAIL;

static const char n1[] =
	"{\"Name\":\"netbr\",\"Id\":\"4dd2d86ca321\",\"Created\":\"2026-11-30T10:00:00Z\","
	"\"Scope\":\"local\",\"Driver\":\"bridge\",\"EnableIPv6\":false,\"IPAM\":{\"Driver\":\"default\","
	"\"Config\":[{\"Subnet\":\"172.18.0.0/16\"}]},\"Internal\":false,\"Containers\":{},"
	"\"Options\":{\"com.docker.network.bridge.name\":\"br0\"},\"Labels\":{\"env\":\"prod\",\"type\":\"x\"}}";
static const char n1_ev[] =
	"{\"dockev\":true,\"Type\":\"network\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"4dd2d86ca321\","
	"\"Attributes\":{\"name\":\"netbr\",\"type\":\"bridge\",\"scope\":\"local\",\"env\":\"prod\"}}" TAIL;

static const char n2[] =
	"{\"Name\":\"ingress\",\"Id\":\"zz9\",\"Scope\":\"swarm\",\"Driver\":\"overlay\",\"Labels\":{}}";
static const char n2_ev[] =
	"{\"dockev\":true,\"Type\":\"network\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"zz9\","
	"\"Attributes\":{\"name\":\"ingress\",\"type\":\"overlay\",\"scope\":\"swarm\"}},"
	"\"scope\":\"swarm\",\"time\":1795792645,\"timeNano\":1795792645501499766}";

/* A volume's ID is its Name (the engine's volume events say so); an
 * "Id" member means nothing here. */
static const char v1[] =
	"{\"CreatedAt\":\"2026-11-30T10:00:00Z\",\"Driver\":\"local\",\"Id\":\"no\","
	"\"Labels\":{\"com.docker.compose.project\":\"p\"},\"Mountpoint\":\"/var/lib/docker/volumes/vol1/_data\","
	"\"Name\":\"vol1\",\"Options\":null,\"Scope\":\"local\"}";
static const char v1_ev[] =
	"{\"dockev\":true,\"Type\":\"volume\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"vol1\","
	"\"Attributes\":{\"driver\":\"local\",\"mountpoint\":\"/var/lib/docker/volumes/vol1/_data\","
	"\"com.docker.compose.project\":\"p\"}}" TAIL;

static char out[4096];

static void one(int kind, const char *in, const char *want)
{
	long n = dk_object_event(kind, in, strlen(in), T0, out, sizeof out);
	struct dk_event ev;

	T_OK(n == (long)strlen(want) && strcmp(out, want) == 0,
	     "%s: %ld '%s'", dk_object_type(kind), n, out);
	/* What the agent does next: the event view takes it. */
	T_EQ(dk_event_parse(&ev, out, (size_t)(n > 0 ? n : 0)), DK_OK,
	     "%s: parses as an event", dk_object_type(kind));
	T_STR(ev.type.p, ev.type.n, dk_object_type(kind), "its Type");
	T_STR(ev.action.p, ev.action.n, "exists", "its Action");
	T_EQ(ev.time_nano, T0, "stamped with the snapshot point");
	T_EQ(ev.marked, 1, "marked as the agent's own (\"dockev\":true first)");
}

/* ---- whole answers through the framer ---------------------------------- */

static char elem[2048], joined[16384];

/* Frame in[0..n) in pieces (first, then step) and convert every element,
 * joining the events with '\n'; returns dk_array_end's result, or the
 * first conversion error. *skipped counts elements over the buffer. */
static int run(int kind, const char *member, const char *in, size_t n,
               size_t first, size_t step, size_t cap, int *skipped)
{
	struct dk_array a;
	size_t i = 0, o = 0;

	*skipped = 0;
	joined[0] = '\0';
	dk_array_init(&a, elem, cap, member);
	while (i < n) {
		size_t k = i == 0 && first ? first : step, off = 0;
		if (k > n - i)
			k = n - i;
		while (off < k) {
			const char *rec;
			size_t len, used;
			int r = dk_array_feed(&a, in + i + off, k - off, &used,
			                      &rec, &len);
			off += used;
			if (r == DK_ERR_RECORD_BIG) {
				(*skipped)++;
			} else if (r == DK_ARRAY_ELEM) {
				long e = dk_object_event(kind, rec, len, T0, out,
				                         sizeof out);
				if (e < 0)
					return (int)e;
				memcpy(joined + o, out, (size_t)e);
				o += (size_t)e;
				joined[o++] = '\n';
				joined[o] = '\0';
			} else if (r < 0) {
				return r;
			} else if (r == DK_ARRAY_DONE) {
				off = k;
			}
		}
		i += k;
	}
	return dk_array_end(&a);
}

static char ans[8192], want[16384];

static void every_split(int kind, const char *member, size_t cap,
                        int want_skipped)
{
	size_t n = strlen(ans), s, st, bad = 0;
	int sk, r;

	r = run(kind, member, ans, n, 0, n, cap, &sk);
	T_OK(r == DK_ARRAY_DONE && sk == want_skipped && strcmp(joined, want) == 0,
	     "%s answer whole: end %d, skipped %d", dk_object_type(kind), r, sk);
	if (strcmp(joined, want))
		printf("#   got  %s\n#   want %s\n", joined, want);
	for (st = 1; st <= 2; st++)
		for (s = 1; s < n; s++) {
			r = run(kind, member, ans, n, s, st, cap, &sk);
			bad += r != DK_ARRAY_DONE || sk != want_skipped ||
			       strcmp(joined, want) != 0;
		}
	T_EQ(bad, 0, "%s answer byte by byte, pairs, and split at every position",
	     dk_object_type(kind));
}

int main(void)
{
	char small[64];
	long n;

	one(DK_OBJECT_CONTAINER, c1, c1_ev);
	one(DK_OBJECT_CONTAINER, c2, c2_ev);
	one(DK_OBJECT_NETWORK, n1, n1_ev);
	one(DK_OBJECT_NETWORK, n2, n2_ev);
	one(DK_OBJECT_VOLUME, v1, v1_ev);
	/* A label value that is not a string is not an attribute; a name
	 * without its '/' (Podman's own API) is kept as it is. */
	one(DK_OBJECT_CONTAINER,
	    "{\"Id\":\"b\",\"Names\":[\"podname\"],\"Labels\":{\"x\":1,\"y\":{\"z\":\"w\"},\"k\":\"v\"}}",
	    "{\"dockev\":true,\"Type\":\"container\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"b\","
	    "\"Attributes\":{\"name\":\"podname\",\"k\":\"v\"}}" TAIL);
	/* jsmn passes a doubled ':' (and blanks) between a label's key and
	 * value: the event is still JSON. */
	one(DK_OBJECT_CONTAINER,
	    "{\"Id\":\"b\",\"Labels\":{\"a\"::\"b\" , \"c\" : \"d\"}}",
	    "{\"dockev\":true,\"Type\":\"container\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"b\","
	    "\"Attributes\":{\"a\":\"b\",\"c\":\"d\"}}" TAIL);
	/* jsmn takes an array as a key too: that label is not one (copied
	 * between quotes it made no JSON; fuzz_object found it). */
	one(DK_OBJECT_CONTAINER,
	    "{\"Id\":\"b\",\"Labels\":{\"a\":\"x\"[\"k\"],\"c\":\"d\"}}",
	    "{\"dockev\":true,\"Type\":\"container\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"b\","
	    "\"Attributes\":{\"a\":\"x\"}}" TAIL);
	/* Only the ID is required; an empty Names array is no name. */
	one(DK_OBJECT_CONTAINER, "{\"Id\":\"c\",\"Names\":[]}",
	    "{\"dockev\":true,\"Type\":\"container\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"c\","
	    "\"Attributes\":{}}" TAIL);
	one(DK_OBJECT_VOLUME, "{\"Name\":\"v\",\"Driver\":\"local\",\"Labels\":null}",
	    "{\"dockev\":true,\"Type\":\"volume\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"v\","
	    "\"Attributes\":{\"driver\":\"local\"}}" TAIL);

	/* What is not an object, or has no ID. */
#define BAD(kind, s, err, what) \
	T_EQ(dk_object_event((kind), (s), strlen(s), T0, out, sizeof out), (err), what)
	BAD(DK_OBJECT_CONTAINER, "[1]", DK_ERR_JSON, "an array");
	BAD(DK_OBJECT_CONTAINER, "\"Id\"", DK_ERR_JSON, "a string");
	BAD(DK_OBJECT_CONTAINER, "{\"Id\":\"a\"} x", DK_ERR_JSON, "bytes after the object");
	BAD(DK_OBJECT_CONTAINER, "{\"Id\":\"a\"", DK_ERR_JSON, "an object cut short");
	BAD(DK_OBJECT_CONTAINER, "{\"Names\":[\"/x\"]}", DK_ERR_EVENT, "a container without Id");
	BAD(DK_OBJECT_CONTAINER, "{\"Id\":\"\"}", DK_ERR_EVENT, "an empty Id");
	BAD(DK_OBJECT_CONTAINER, "{\"Id\":7}", DK_ERR_EVENT, "an Id that is no string");
	BAD(DK_OBJECT_VOLUME, "{\"Id\":\"a\",\"Driver\":\"local\"}", DK_ERR_EVENT,
	    "a volume without Name");
	BAD(DK_OBJECT_KINDS, "{\"Id\":\"a\"}", DK_ERR_EVENT, "an unknown kind");
	T_OK(out[0] == '\0', "out is empty after an error");
	{
		/* More tokens than the array holds. */
		static char many[DK_LIST_TOKENS_MAX * 8 + 64];
		size_t o = 0;
		int i;
		o += (size_t)sprintf(many, "{\"Id\":\"a\",\"Labels\":{");
		for (i = 0; i < DK_LIST_TOKENS_MAX / 2; i++)
			o += (size_t)sprintf(many + o, "%s\"%d\":\"\"", i ? "," : "", i % 10);
		sprintf(many + o, "}}");
		BAD(DK_OBJECT_CONTAINER, many, DK_ERR_TOKENS, "more tokens than DK_LIST_TOKENS_MAX");
	}
	/* Every buffer too small says so, and leaves "" behind. */
	{
		size_t cap, bad = 0, len = strlen(v1_ev);
		for (cap = 1; cap <= len; cap++) {
			n = dk_object_event(DK_OBJECT_VOLUME, v1, strlen(v1), T0,
			                    small, cap < sizeof small ? cap : sizeof small);
			if (cap < sizeof small)
				bad += n != DK_ERR_NOSPACE || small[0] != '\0';
		}
		T_EQ(bad, 0, "every short buffer: DK_ERR_NOSPACE and \"\"");
		n = dk_object_event(DK_OBJECT_VOLUME, v1, strlen(v1), T0, out, len + 1);
		T_EQ(n, (long)len, "exactly enough room");
	}

	/* Whole answers: /containers/json and /networks are arrays, /volumes
	 * an object holding one. */
	snprintf(ans, sizeof ans, "[%s,\n%s]\n", c1, c2);
	snprintf(want, sizeof want, "%s\n%s\n", c1_ev, c2_ev);
	every_split(DK_OBJECT_CONTAINER, NULL, sizeof elem, 0);
	snprintf(ans, sizeof ans, "[%s,%s]", n1, n2);
	snprintf(want, sizeof want, "%s\n%s\n", n1_ev, n2_ev);
	every_split(DK_OBJECT_NETWORK, NULL, sizeof elem, 0);
	snprintf(ans, sizeof ans, "{\"Volumes\":[%s,{\"Name\":\"v\",\"Driver\":\"local\",\"Labels\":null}],"
	         "\"Warnings\":[]}\n", v1);
	snprintf(want, sizeof want, "%s\n%s\n", v1_ev,
	         "{\"dockev\":true,\"Type\":\"volume\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"v\","
	         "\"Attributes\":{\"driver\":\"local\"}}" TAIL);
	every_split(DK_OBJECT_VOLUME, "Volumes", sizeof elem, 0);
	/* An element over the element buffer is skipped, the rest go on. */
	snprintf(ans, sizeof ans, "[%s,%s]", c1, c2);
	snprintf(want, sizeof want, "%s\n", c2_ev);
	every_split(DK_OBJECT_CONTAINER, NULL, strlen(c2) + 1, 1);
	return T_DONE();
}
