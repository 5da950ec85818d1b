/* test_when.c - dk_when_parse, dk_when_duration, dk_when_format: every
 * accepted form, the range edges of int64 nanoseconds, calendar edges, and
 * exact integer fractions; times without a zone in the local zone, with TZ
 * set here (POSIX TZ strings: no tz database needed). Expected values
 * computed with Python's datetime and fractions modules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "when.h"
#include "t.h"

#define S(x) (INT64_C(x) * INT64_C(1000000000))
#define NOW S(1795792644)

static void when_ok(const char *in, int64_t want)
{
	int64_t got = 12345;
	int rc = dk_when_parse(in, NOW, &got);
	T_EQ(rc, DK_OK, "parse '%s' ok", in);
	T_EQ(got, want, "parse '%s' value", in);
}

static void when_bad(const char *in)
{
	int64_t got = 12345;
	T_EQ(dk_when_parse(in, NOW, &got), DK_ERR_TIME, "parse '%s' refused", in);
	T_EQ(got, 12345, "parse '%s' leaves out alone", in);
}

static void dur_ok(const char *in, int64_t want)
{
	int64_t got = -7;
	int rc = dk_when_duration(in, &got);
	T_EQ(rc, DK_OK, "duration '%s' ok", in);
	T_EQ(got, want, "duration '%s' value", in);
}

static void dur_bad(const char *in)
{
	int64_t got = -7;
	T_EQ(dk_when_duration(in, &got), DK_ERR_TIME, "duration '%s' refused", in);
	T_EQ(got, -7, "duration '%s' leaves out alone", in);
}

static void test_unix(void)
{
	when_ok("0", 0);
	when_ok("1795792644", S(1795792644));
	when_ok("1795792644.5", S(1795792644) + 500000000);
	when_ok("1795792644.000000001", S(1795792644) + 1);
	when_ok("1795792644.123456789", S(1795792644) + 123456789);
	when_ok("0001795792644.05", S(1795792644) + 50000000);
	when_ok("2147483648", S(2147483648)); /* past 2038 */
	when_ok("9223372036.854775807", INT64_MAX);
	when_bad("1795792644.1234567890"); /* 10 fraction digits */
	when_bad("9223372036.854775808");
	when_bad("9223372037");
	when_bad("99999999999999999999999");
	when_bad("1.");
	when_bad(".5");
	when_bad(".");
	when_bad("1.2.3");
	when_bad("1795792644 ");
	when_bad(" 1795792644");
	when_bad("-1");
	when_bad("1e9");
	when_bad("");
	when_bad(NULL);
	T_EQ(dk_when_parse("1", 0, NULL), DK_ERR_TIME, "NULL out refused");
}

static void test_rfc3339(void)
{
	when_ok("1970-01-01T00:00:00Z", 0);
	when_ok("1970-01-01", 0);
	when_ok("1970-01-01T00:00:00.000000001Z", 1);
	when_ok("1969-12-31T23:59:59Z", -S(1));
	when_ok("1970-01-01T00:00:00+00:01", -S(60));
	when_ok("1970-01-01T00:00:00.5-00:00", 500000000);
	when_ok("1900-01-01", -S(2208988800));
	when_ok("2026-11-27T15:17:23Z", S(1795792643));
	when_ok("2026-11-27t15:17:23z", S(1795792643));
	when_ok("2026-11-27T15:17:23+00:00", S(1795792643));
	when_ok("2026-11-27T15:17:23+01:00", S(1795789043));
	when_ok("2026-11-27T15:17:23.123456789+01:00", S(1795789043) + 123456789);
	when_ok("2026-11-27T15:17:23.5Z", S(1795792643) + 500000000);
	when_ok("2026-11-27T15:17:23-05:30", S(1795812443));
	when_ok("2026-11-27T15:17", S(1795792620));
	when_ok("2026-11-27T15:17Z", S(1795792620));
	when_ok("2026-11-27T15", S(1795791600));
	when_ok("2026-11-27T15Z", S(1795791600));
	when_ok("2026-11-27", S(1795737600));
	when_ok("2026-11-27Z", S(1795737600));
	when_ok("2026-11-27+01:00", S(1795734000));
	when_ok("2038-01-19T03:14:07Z", S(2147483647));
	when_ok("2038-01-19T03:14:08Z", S(2147483648));
	when_ok("2100-03-01", S(4107542400));
	/* Leap years: every 4th, not every 100th, but every 400th. */
	when_ok("2000-02-29", S(951782400));
	when_ok("2024-02-29T12:00:00Z", S(1709208000));
	when_bad("2023-02-29");
	when_bad("1900-02-29");
	when_bad("2100-02-29");
	when_bad("2024-02-30");
	/* The int64 nanosecond range, both ends. */
	when_ok("2262-04-11T23:47:16.854775807Z", INT64_MAX);
	when_bad("2262-04-11T23:47:16.854775808Z");
	when_bad("2262-04-11T23:47:17Z");
	when_ok("1677-09-21T00:12:43.145224192Z", INT64_MIN);
	when_bad("1677-09-21T00:12:43.145224191Z");
	when_bad("1600-03-01");
	when_bad("9999-12-31T23:59:59Z");
	when_bad("0000-01-01");
	/* 9 fraction digits, not 10. */
	when_ok("2026-11-27T15:17:23.999999999Z", S(1795792643) + 999999999);
	when_bad("2026-11-27T15:17:23.1234567891Z");
	when_bad("2026-11-27T15:17:23.Z");
	/* Field ranges and shapes. */
	when_bad("2026-13-01");
	when_bad("2026-00-10");
	when_bad("2026-01-00");
	when_bad("2026-01-32");
	when_bad("2026-04-31");
	when_bad("2026-11-27T24:00:00Z");
	when_bad("2026-11-27T23:60:00Z");
	when_bad("2026-11-27T23:59:60Z"); /* Go refuses leap seconds */
	when_bad("2026-11-27T");
	when_bad("2026-11-27T1");
	when_bad("2026-11-27T15:1");
	when_bad("2026-11-27T15:17:2");
	when_bad("2026-11-27T15.5Z");
	when_bad("2026-11-27T15:17.5Z");
	when_bad("2026-11-27 15:17:23Z");
	when_bad("2026-11-27T15:17:23+0100");
	when_bad("2026-11-27T15:17:23+01");
	when_bad("2026-11-27T15:17:23+24:00");
	when_bad("2026-11-27T15:17:23+01:60");
	when_bad("2026-11-27T15:17:23ZZ");
	when_bad("2026-11-27T15:17:23Z ");
	when_bad("2026-11-27X");
	when_bad("2026-1-27");
	when_bad("2026-11-7");
	when_bad("2026-11");
	when_bad("2026-");
	when_bad("26-11-27");
}

static void test_duration(void)
{
	dur_ok("0", 0);
	dur_ok("0s", 0);
	dur_ok("1ns", 1);
	dur_ok("500us", 500000);
	dur_ok("250ms", 250000000);
	dur_ok("30s", S(30));
	dur_ok("90s", S(90));
	dur_ok("10m", S(600));
	dur_ok("1h", S(3600));
	dur_ok("1h30m", S(5400));
	dur_ok("1.5h", S(5400));
	dur_ok("1h1h", S(7200));
	dur_ok("2h45m30.5s", S(9930) + 500000000);
	dur_ok("1m1s1ms1us1ns", S(61) + 1001001);
	dur_ok(".5s", 500000000);
	dur_ok("1.s", S(1));
	dur_ok("0.5m", S(30));
	dur_ok("0.25ms", 250000);
	/* Fractions floor to whole nanoseconds, exactly. */
	dur_ok("1.5ns", 1);
	dur_ok("1.999us", 1999);
	dur_ok("1.9999us", 1999);
	dur_ok("0.000000001s", 1);
	dur_ok("0.0000000019s", 1);
	dur_ok("1.0000000001h", S(3600) + 360);
	dur_ok("1.00000000000001h", S(3600));
	dur_ok("1.00000000000028h", S(3600) + 1);
	dur_ok("0.1234567891234h", INT64_C(444444440844));
	dur_ok("2.9999999999999999999999h", INT64_C(10799999999999));
	dur_ok("0.7777777777777777777777777777m", INT64_C(46666666666));
	/* Overflow of the total and of each step. */
	dur_ok("9223372036854775807ns", INT64_MAX);
	dur_ok("2562047h47m16.854775807s", INT64_MAX);
	dur_ok("2562047h", INT64_C(9223369200000000000));
	dur_bad("2562048h");
	dur_bad("9223372036854775808ns");
	dur_bad("9223372036854775807ns1ns");
	dur_bad("2562047h47m16.854775808s");
	dur_bad("99999999999999999999s");
	dur_bad("9223372036854775807h");
	/* Shapes Go refuses, and signs (a since in the future). */
	dur_bad("");
	dur_bad(NULL);
	dur_bad("1");
	dur_bad("10");
	dur_bad("1.5");
	dur_bad("0.0");
	dur_bad("00");
	dur_bad("-1s");
	dur_bad("+1s");
	dur_bad("1hour");
	dur_bad("1H");
	dur_bad("1 h");
	dur_bad(" 1h");
	dur_bad("h");
	dur_bad(".");
	dur_bad(".s");
	dur_bad("1..5s");
	dur_bad("1s-");
	dur_bad("1h30");
	dur_bad("1d");
	T_EQ(dk_when_duration("1s", NULL), DK_ERR_TIME, "NULL out refused");
}

static void test_parse_duration(void)
{
	int64_t got;

	when_ok("90s", NOW - S(90));
	when_ok("1h30m", NOW - S(5400));
	when_ok("1.5h", NOW - S(5400));
	when_ok("0s", NOW);
	when_ok("250ms", NOW - 250000000);
	when_ok("1000000h", NOW - S(3600000000)); /* before 1970: allowed */
	when_bad("-1s");
	when_bad("1hour");
	when_bad("2562048h");
	T_EQ(dk_when_parse("1", 5, &got), DK_OK, "'1' is Unix seconds");
	T_EQ(got, S(1), "'1' is 1 s after the epoch");
	T_EQ(dk_when_parse("1s", INT64_MIN + S(1), &got), DK_OK,
	     "now - d reaching INT64_MIN");
	T_EQ(got, INT64_MIN, "now - d == INT64_MIN");
	T_EQ(dk_when_parse("1ns", INT64_MIN, &got), DK_ERR_TIME,
	     "now - d below INT64_MIN refused");
	T_EQ(dk_when_parse("9223372036854775807ns", 0, &got), DK_OK,
	     "largest duration from 0");
	T_EQ(got, -INT64_MAX, "largest duration from 0 value");
}

static void fmt_ok(int64_t ns, const char *want)
{
	char buf[40];
	int n = dk_when_format(ns, buf, sizeof(buf));
	T_EQ(n, (long long)strlen(want), "format %lld length", (long long)ns);
	T_STR(buf, n > 0 ? (size_t)n : 0, want, "format %lld", (long long)ns);
	T_OK(n > 0 && buf[n] == '\0', "format %lld NUL-terminated", (long long)ns);
}

static void test_format(void)
{
	const int64_t vals[] = { 0, 1, 999999999, S(1795792644) + 5, INT64_MAX };
	char buf[40], want[40];
	int64_t back;
	size_t cap, i;
	int n, clean;

	fmt_ok(0, "0.000000000");
	fmt_ok(1, "0.000000001");
	fmt_ok(S(1795792644) + 500000000, "1795792644.500000000");
	fmt_ok(S(2147483648), "2147483648.000000000");
	fmt_ok(-1, "-1.999999999");
	fmt_ok(-1000000000, "-1.000000000");
	fmt_ok(-1500000000, "-2.500000000");
	fmt_ok(INT64_MAX, "9223372036.854775807");
	fmt_ok(INT64_MIN, "-9223372037.145224192");

	/* Every too-small cap: DK_ERR_NOSPACE and nothing written past cap. */
	strcpy(want, "-9223372037.145224192");
	for (cap = 0; cap <= strlen(want); cap++) {
		memset(buf, '#', sizeof(buf));
		n = dk_when_format(INT64_MIN, buf, cap);
		clean = 1;
		for (i = cap; i < sizeof(buf); i++)
			clean &= buf[i] == '#';
		T_EQ(n, DK_ERR_NOSPACE, "format cap %zu refused", cap);
		T_OK(clean, "format cap %zu writes nothing past cap", cap);
	}
	memset(buf, '#', sizeof(buf));
	n = dk_when_format(INT64_MIN, buf, strlen(want) + 1);
	T_STR(buf, n > 0 ? (size_t)n : 0, want, "format at exact cap");
	T_OK(buf[strlen(want) + 1] == '#', "exact cap writes nothing past it");
	T_EQ(dk_when_format(0, NULL, 0), DK_ERR_NOSPACE, "NULL buffer");

	/* What format writes, parse reads back (non-negative values). */
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		n = dk_when_format(vals[i], buf, sizeof(buf));
		T_OK(n > 0 && dk_when_parse(buf, 0, &back) == DK_OK &&
		     back == vals[i], "round trip %s", buf);
	}
}

static void rfc_ok(int64_t ns, const char *want)
{
	char buf[40];
	int n = dk_when_rfc3339(ns, buf, sizeof(buf));
	T_STR(buf, n > 0 ? (size_t)n : 0, want, "rfc3339 %lld", (long long)ns);
	T_OK(n > 0 && buf[n] == '\0', "rfc3339 %lld NUL-terminated",
	     (long long)ns);
}

static void test_rfc3339_out(void)
{
	char buf[40];
	uint64_t x = 1;
	int64_t v, back;
	size_t cap, i;
	int n, nospace = 1, clean = 1, trip = 1, k;

	rfc_ok(0, "1970-01-01T00:00:00.000000000Z");
	rfc_ok(-1, "1969-12-31T23:59:59.999999999Z");
	rfc_ok(S(1795792643) + 123456789, "2026-11-27T15:17:23.123456789Z");
	rfc_ok(S(951782400), "2000-02-29T00:00:00.000000000Z");
	rfc_ok(S(951868799), "2000-02-29T23:59:59.000000000Z");
	rfc_ok(S(4107542400), "2100-03-01T00:00:00.000000000Z");
	rfc_ok(S(2147483648), "2038-01-19T03:14:08.000000000Z");
	rfc_ok(-S(2208988800), "1900-01-01T00:00:00.000000000Z");
	rfc_ok(INT64_MAX, "2262-04-11T23:47:16.854775807Z");
	rfc_ok(INT64_MIN, "1677-09-21T00:12:43.145224192Z");

	for (cap = 0; cap <= 30; cap++) {
		memset(buf, '#', sizeof(buf));
		n = dk_when_rfc3339(0, buf, cap);
		nospace &= n == DK_ERR_NOSPACE;
		for (i = cap; i < sizeof(buf); i++)
			clean &= buf[i] == '#';
	}
	T_OK(nospace, "rfc3339 caps 0..30 give DK_ERR_NOSPACE");
	T_OK(clean, "rfc3339 caps 0..30 write nothing past cap");
	T_EQ(dk_when_rfc3339(0, buf, 31), 30, "rfc3339 cap 31 fits");

	/* Parse reads back what rfc3339 writes, across the whole range. */
	for (k = 0; k < 2000; k++) {
		x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		memcpy(&v, &x, sizeof(v)); /* any int64, negative ones too */
		if (dk_when_rfc3339(v, buf, sizeof(buf)) != 30 ||
		    dk_when_parse(buf, 0, &back) != DK_OK || back != v) {
			trip = 0;
			T_OK(0, "rfc3339 round trip %lld (%s)", (long long)v, buf);
			break;
		}
	}
	T_OK(trip, "rfc3339 -> parse round trip, 2000 values");
}

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void when_at(const char *in, int64_t now, int64_t want)
{
	int64_t got = 12345;
	T_EQ(dk_when_parse(in, now, &got), DK_OK, "parse '%s' at %s ok", in, getenv("TZ"));
	T_EQ(got, want, "parse '%s' at %s value", in, getenv("TZ"));
}

/* moby GetTimestamp: no z/Z/+ and not three dashes is parsed in
 * time.FixedZone(reference.Zone()), every layout: the date, Thh, Thh:mm,
 * Thh:mm:ss and with a fraction. A zone given is never touched by TZ. */
static void test_local(void)
{
	set_tz("XYZ-3"); /* POSIX: 3 hours east of UTC */
	when_ok("2026-11-27T15:17:23", S(1795781843));
	when_ok("2026-11-27T15:17:23.25", S(1795781843) + 250000000);
	when_ok("2026-11-27", S(1795726800));
	when_ok("2026-11-27T15:17:23Z", S(1795792643));
	when_ok("2026-11-27T15:17:23+01:00", S(1795789043));
	when_ok("2026-11-27T15:17:23-05:30", S(1795812443));
	when_ok("2026-11-27Z", S(1795737600));
	when_ok("1795792644", S(1795792644));
	set_tz("EST5"); /* 5 hours west */
	when_ok("2026-11-27T15", S(1795809600));
	when_ok("2026-11-27T15:17", S(1795810620));
	set_tz("IST-5:30"); /* half hours */
	when_ok("2026-11-27T15:17:23", S(1795772843));
	/* With summer time, the offset is the one in force now, as the CLI
	 * takes it: a July time read in November is at +01:00, in July at
	 * +02:00. */
	set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	when_at("2026-07-01T12:00:00", NOW, S(1782903600));
	when_at("2026-07-01T12:00:00", S(1784116800), S(1782900000));
	set_tz("UTC0");
}

int main(void)
{
	/* The fixed expectations above are UTC's wherever the test runs. */
	set_tz("UTC0");
	test_unix();
	test_rfc3339();
	test_duration();
	test_parse_duration();
	test_format();
	test_rfc3339_out();
	test_local();
	return T_DONE();
}
