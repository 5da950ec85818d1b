/* test_match.c - the -f filters on dockev's own events, with the engine's
 * rules for each key (match.h). */
#include "t.h"
#include "err.h"
#include "event.h"
#include "match.h"
#include "object.h"

static const char c1[] =
	"{\"Type\":\"container\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"839ac60a1a6b\","
	"\"Attributes\":{\"name\":\"web-1\",\"image\":\"registry:5000/edge/web:1.2\","
	"\"state\":\"running\",\"com.example.role\":\"front\",\"tier\":\"\"}},"
	"\"scope\":\"local\",\"time\":1,\"timeNano\":1000000000}";
static const char n1[] =
	"{\"Type\":\"network\",\"Action\":\"exists\",\"Actor\":{\"ID\":\"4dd2d86ca321\","
	"\"Attributes\":{\"name\":\"netbr\",\"type\":\"bridge\"}},"
	"\"scope\":\"swarm\",\"time\":1,\"timeNano\":1000000000}";

static struct dk_event ev;

static int m(const char *rec, const char *a0, const char *a1, const char *a2)
{
	const char *args[3] = { a0, a1, a2 };
	int n = a2 ? 3 : a1 ? 2 : a0 ? 1 : 0;

	if (dk_event_parse(&ev, rec, strlen(rec)) != DK_OK)
		return -1;
	return dk_match_event(args, n, &ev);
}

#define YES(rec, a, b, c, what) T_EQ(m(rec, a, b, c), 1, what)
#define NO(rec, a, b, c, what) T_EQ(m(rec, a, b, c), 0, what)

int main(void)
{
	YES(c1, NULL, NULL, NULL, "no filter");
	YES(c1, "type=container", NULL, NULL, "type");
	NO(c1, "type=network", NULL, NULL, "another type");
	YES(c1, "type=network", "type=container", NULL, "one key's values are ORed");
	NO(c1, "type=container", "event=start", NULL, "keys are ANDed: exists is no start");
	YES(c1, "event=exists", NULL, NULL, "event exists");
	NO(c1, "event=exist", NULL, NULL, "event is exact");
	YES(c1, "container=web-1", NULL, NULL, "container by name");
	YES(c1, "container=839a", NULL, NULL, "container by an ID prefix");
	YES(c1, "container=web", NULL, NULL, "container by a name prefix (FuzzyMatch)");
	NO(c1, "container=eb-1", NULL, NULL, "not inside the name");
	NO(n1, "container=web-1", NULL, NULL, "a container filter drops other actors");
	YES(n1, "network=netbr", NULL, NULL, "network by name");
	NO(c1, "network=netbr", NULL, NULL, "a network filter drops a container");
	NO(c1, "daemon=x", NULL, NULL, "a daemon filter drops it too");
	YES(c1, "image=registry:5000/edge/web:1.2", NULL, NULL, "image as named");
	YES(c1, "image=registry:5000/edge/web", NULL, NULL, "image without its tag");
	NO(c1, "image=registry", NULL, NULL, "the registry's port is no tag");
	NO(c1, "image=edge/web", NULL, NULL, "image is exact");
	NO(n1, "image=netbr", NULL, NULL, "image on a network: its name is no image");
	YES(c1, "label=com.example.role", NULL, NULL, "label key");
	YES(c1, "label=com.example.role=front", "label=tier=", NULL, "labels with values, empty too");
	NO(c1, "label=com.example.role=back", NULL, NULL, "another value");
	NO(c1, "label=com.example.role", "label=missing", NULL, "label values are ANDed");
	YES(c1, "label=state=running", NULL, NULL, "state is an attribute a label filter sees");
	YES(n1, "scope=swarm", NULL, NULL, "scope");
	NO(c1, "scope=swarm", NULL, NULL, "another scope");

	{
		const char *none[1] = { NULL };
		const char *t[2] = { "type=volume", "type=network" };
		const char *e1[2] = { "event=start", "event=exists" };
		const char *e2[1] = { "event=start" };
		const char *l[1] = { "label=a" };
		T_EQ(dk_match_lists(none, 0), 7, "every list without filters");
		T_EQ(dk_match_lists(t, 2), (1 << DK_OBJECT_NETWORK) | (1 << DK_OBJECT_VOLUME),
		     "the lists the type filter names");
		T_EQ(dk_match_lists(e1, 2), 7, "an event filter naming exists");
		T_EQ(dk_match_lists(e2, 1), 0, "an event filter without exists: no snapshot");
		T_EQ(dk_match_lists(l, 1), 7, "other keys: every list, filtered object by object");
	}
	return T_DONE();
}
