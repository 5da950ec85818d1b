/* when.c - --since/--until values and durations, as the docker CLI's
 * GetTimestamp (cli/opts, moby api/types/time) reads them: Unix seconds,
 * RFC 3339 timestamps (exact via days-from-civil, no timegm; a time without
 * a zone is local, at the offset localtime_r gives for now), and Go
 * time.ParseDuration strings. Integer arithmetic only, every step
 * overflow-checked: results are int64 nanoseconds (1677..2262).
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "when.h"

#define NS_PER_S INT64_C(1000000000)

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* *r = a + b; 0 on overflow. */
static int add_ok(int64_t a, int64_t b, int64_t *r)
{
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
		return 0;
	*r = a + b;
	return 1;
}

/* *r = a * b for b > 0 (all our multipliers are positive constants). */
static int mul_ok(int64_t a, int64_t b, int64_t *r)
{
	if (a > INT64_MAX / b || a < INT64_MIN / b)
		return 0;
	*r = a * b;
	return 1;
}

/* Exactly k digits at p, as a number. */
static int fixed_digits(const char *p, size_t k, int *v)
{
	size_t i;
	*v = 0;
	for (i = 0; i < k; i++) {
		if (!is_digit(p[i]))
			return 0;
		*v = *v * 10 + (p[i] - '0');
	}
	return 1;
}

/* Gregorian days since 1970-01-01 for a proleptic Gregorian date. Counted
 * in 400-year eras starting on March 1st so that the leap day is the last
 * day of the counting year and February needs no special case. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;                          /* 0..399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* 0..146096 */
	return era * 146097 + doe - 719468;           /* 719468: 0000-03-01..1970 */
}

/* The inverse: days since 1970-01-01 to y-m-d, same eras. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;                                   /* 0..146096 */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            /* 0..365 */
	mp = (5 * doy + 2) / 153;                                 /* 0 = March */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const unsigned char dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

/* s.n seconds ("1795792644", "1795792644.5"): what the engine itself takes
 * and what the CLI passes through unchanged. More than 9 fraction digits
 * would be finer than a nanosecond: refused rather than rounded. */
static int parse_unix(const char *s, size_t n, int64_t *out)
{
	int64_t sec = 0, frac = 0, v;
	size_t i = 0, k;

	while (i < n && is_digit(s[i])) {
		if (!mul_ok(sec, 10, &sec) || !add_ok(sec, s[i] - '0', &sec))
			return DK_ERR_TIME;
		i++;
	}
	if (i == 0)
		return DK_ERR_TIME;
	if (i < n) {
		if (s[i] != '.')
			return DK_ERR_TIME;
		i++;
		for (k = 0; k < 9 && i < n && is_digit(s[i]); k++, i++)
			frac = frac * 10 + (s[i] - '0');
		if (k == 0 || i != n)
			return DK_ERR_TIME;
		for (; k < 9; k++)
			frac *= 10;
	}
	if (!mul_ok(sec, NS_PER_S, &v) || !add_ok(v, frac, &v))
		return DK_ERR_TIME;
	*out = v;
	return DK_OK;
}

/* The local zone's offset from UTC at now_ns, in seconds east: the local
 * calendar fields localtime_r gives, read back as if they were UTC. 0 when
 * the time is out of localtime_r's range. */
static int64_t local_offset(int64_t now_ns)
{
	time_t t = (time_t)(now_ns / NS_PER_S);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return 0;
	return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) *
	       86400 + (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 +
	       tm.tm_sec - (int64_t)t;
}

/* RFC 3339 §5.6 date-time, plus the shortened forms the CLI accepts:
 * YYYY-MM-DD[Thh[:mm[:ss[.f{1,9}]]]][Z|±hh:mm]. No zone means local time as
 * the CLI reads it: at the fixed offset local_off (seconds east) that the
 * local zone has now, the reference time (GetTimestamp parses in
 * time.FixedZone(reference.Zone())), so a July date read in November takes
 * November's offset, as `docker events --since` does. Seconds of 60 are
 * refused as Go's parser does. */
static int parse_rfc3339(const char *s, size_t n, int64_t local_off,
                         int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
	int64_t frac = 0, t, off = 0;
	size_t i, k;

	if (n < 10 || !fixed_digits(s, 4, &y) || s[4] != '-' ||
	    !fixed_digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !fixed_digits(s + 8, 2, &d))
		return DK_ERR_TIME;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return DK_ERR_TIME;
	i = 10;

	if (i < n && (s[i] == 'T' || s[i] == 't')) {
		if (n - i < 3 || !fixed_digits(s + i + 1, 2, &h) || h > 23)
			return DK_ERR_TIME;
		i += 3;
		if (i < n && s[i] == ':') {
			if (n - i < 3 || !fixed_digits(s + i + 1, 2, &mi) || mi > 59)
				return DK_ERR_TIME;
			i += 3;
			if (i < n && s[i] == ':') {
				if (n - i < 3 || !fixed_digits(s + i + 1, 2, &sec) ||
				    sec > 59)
					return DK_ERR_TIME;
				i += 3;
				if (i < n && s[i] == '.') {
					i++;
					for (k = 0; k < 9 && i < n && is_digit(s[i]); k++, i++)
						frac = frac * 10 + (s[i] - '0');
					/* A 10th digit falls through to the zone check
					 * below and is refused there. */
					if (k == 0)
						return DK_ERR_TIME;
					for (; k < 9; k++)
						frac *= 10;
				}
			}
		}
	}

	if (i == n) {
		off = local_off; /* no zone: local time */
	} else {
		if (s[i] == 'Z' || s[i] == 'z') {
			i++;
		} else if (s[i] == '+' || s[i] == '-') {
			if (n - i < 6 || !fixed_digits(s + i + 1, 2, &oh) ||
			    s[i + 3] != ':' || !fixed_digits(s + i + 4, 2, &om) ||
			    oh > 23 || om > 59)
				return DK_ERR_TIME;
			off = (int64_t)oh * 3600 + (int64_t)om * 60;
			if (s[i] == '-')
				off = -off;
			i += 6;
		} else {
			return DK_ERR_TIME;
		}
	}
	if (i != n)
		return DK_ERR_TIME;

	/* Years 0000..9999 keep this in range; only the ns step can overflow.
	 * A "+01:00" local time is one hour ahead of UTC: subtract it. */
	t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
	    (int64_t)mi * 60 + sec - off;
	/* Borrow a second for negative times so that the earliest instant,
	 * -9223372037 s + 145224192 ns, does not overflow midway. */
	if (t < 0 && frac > 0) {
		t++;
		frac -= NS_PER_S;
	}
	if (!mul_ok(t, NS_PER_S, &t) || !add_ok(t, frac, &t))
		return DK_ERR_TIME;
	*out = t;
	return DK_OK;
}

/* Units as mult * 10^exp nanoseconds, so a fraction can be applied exactly:
 * the first exp fraction digits scale by a power of ten, and only the rest
 * is multiplied by the small mult (<= 36). */
struct unit {
	char name[3];
	unsigned char len, mult, exp;
};

static const struct unit units[] = {
	{ "ns", 2, 1, 0 }, { "us", 2, 1, 3 }, { "ms", 2, 1, 6 },
	{ "s", 1, 1, 9 },  { "m", 1, 6, 10 }, { "h", 1, 36, 11 },
};

static int64_t pow10_i(int e)
{
	int64_t v = 1;
	while (e-- > 0)
		v *= 10;
	return v;
}

/* floor(value * unit) for one "int[.frac]unit" component, checked. fp/fn
 * are the fraction digits. */
static int component(int64_t ip, const char *fp, size_t fn,
                     const struct unit *u, int64_t *out)
{
	int64_t whole, d = 0, v;
	unsigned carry = 0;
	size_t j;

	if (!mul_ok(ip, u->mult * pow10_i(u->exp), &whole))
		return 0;
	/* Fraction digits 1..exp: an exact integer count of mult-ns steps. */
	for (j = 0; j < u->exp; j++)
		d = d * 10 + (j < fn ? fp[j] - '0' : 0);
	/* The remaining digits 0.rrr are below one step: floor(mult * 0.rrr)
	 * is the carry out of multiplying the digit string by mult, done
	 * right to left like long multiplication. */
	for (j = fn; j > u->exp; j--)
		carry = ((unsigned)(fp[j - 1] - '0') * u->mult + carry) / 10;
	v = d * u->mult + (int64_t)carry; /* < 36 * 10^11 + 36 */
	return add_ok(whole, v, out);
}

static int parse_duration(const char *s, size_t n, int64_t *out)
{
	int64_t total = 0, ip, v;
	const char *fp;
	size_t i = 0, fn, ul, k;
	int pre;

	/* Go: "0" is the one number allowed without a unit. Signs are refused:
	 * "--since -1s" would be a time in the future. */
	if (n == 1 && s[0] == '0') {
		*out = 0;
		return DK_OK;
	}
	if (n == 0)
		return DK_ERR_TIME;
	while (i < n) {
		ip = 0;
		pre = 0;
		while (i < n && is_digit(s[i])) {
			if (!mul_ok(ip, 10, &ip) || !add_ok(ip, s[i] - '0', &ip))
				return DK_ERR_TIME;
			i++;
			pre = 1;
		}
		fp = s + i;
		fn = 0;
		if (i < n && s[i] == '.') {
			i++;
			fp = s + i;
			while (i < n && is_digit(s[i]))
				i++;
			fn = (size_t)(s + i - fp);
		}
		/* Go accepts "1.s" and ".5s" but not "." alone. */
		if (!pre && fn == 0)
			return DK_ERR_TIME;
		ul = 0;
		while (i + ul < n && !is_digit(s[i + ul]) && s[i + ul] != '.')
			ul++;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (units[k].len == ul && memcmp(units[k].name, s + i, ul) == 0)
				break;
		if (ul == 0 || k == sizeof(units) / sizeof(units[0]))
			return DK_ERR_TIME;
		i += ul;
		if (!component(ip, fp, fn, &units[k], &v) || !add_ok(total, v, &total))
			return DK_ERR_TIME;
	}
	*out = total;
	return DK_OK;
}

int dk_when_duration(const char *s, int64_t *out_ns)
{
	if (!s || !out_ns)
		return DK_ERR_TIME;
	return parse_duration(s, strlen(s), out_ns);
}

int dk_when_parse(const char *s, int64_t now_ns, int64_t *out_ns)
{
	int64_t d;
	size_t n, i;
	int rc;

	if (!s || !out_ns)
		return DK_ERR_TIME;
	n = strlen(s);
	for (i = 0; i < n && (is_digit(s[i]) || s[i] == '.'); i++)
		;
	/* Only digits and dots: Unix seconds ("0" included, as in the CLI). */
	if (n > 0 && i == n)
		return parse_unix(s, n, out_ns);
	/* Digits up to a '-' at 4: a date; anything else must be a duration. */
	if (i == 4 && s[4] == '-')
		return parse_rfc3339(s, n, local_offset(now_ns), out_ns);
	rc = parse_duration(s, n, &d);
	if (rc != DK_OK)
		return rc;
	/* d >= 0, so only a now_ns near INT64_MIN can overflow. */
	if (!add_ok(now_ns, -d, out_ns))
		return DK_ERR_TIME;
	return DK_OK;
}

int dk_when_format(int64_t ns, char *buf, size_t cap)
{
	char tmp[24];
	int64_t sec = ns / NS_PER_S, frac = ns % NS_PER_S;
	uint64_t u;
	size_t k = 0, len, j;
	int neg;

	/* Floor division: the engine reads "s.f" as s seconds plus f ns, so
	 * -1.5 s must be "-2.500000000", never "-1.500000000". */
	if (frac < 0) {
		sec--;
		frac += NS_PER_S;
	}
	neg = sec < 0;
	u = neg ? (uint64_t)0 - (uint64_t)sec : (uint64_t)sec;
	for (j = 0; j < 9; j++) {
		tmp[k++] = (char)('0' + frac % 10);
		frac /= 10;
	}
	tmp[k++] = '.';
	do {
		tmp[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		tmp[k++] = '-';
	len = k;
	if (!buf || cap < len + 1)
		return DK_ERR_NOSPACE;
	for (j = 0; j < len; j++)
		buf[j] = tmp[len - 1 - j];
	buf[len] = '\0';
	return (int)len;
}

/* Fixed width on purpose: int64 ns spans years 1677..2262, always four
 * digits, so the result is always 30 bytes. */
int dk_when_rfc3339(int64_t ns, char *buf, size_t cap)
{
	int64_t sec = ns / NS_PER_S, frac = ns % NS_PER_S, days, rem;
	int y, mo, d, i;
	char *p;

	if (frac < 0) {
		sec--;
		frac += NS_PER_S;
	}
	days = sec / 86400;
	rem = sec % 86400;
	if (rem < 0) {
		days--;
		rem += 86400;
	}
	if (!buf || cap < 31)
		return DK_ERR_NOSPACE;
	civil_from_days(days, &y, &mo, &d);
	p = buf;
	for (i = 3; i >= 0; i--, y /= 10)
		p[i] = (char)('0' + y % 10);
	p[4] = '-';
	p[5] = (char)('0' + mo / 10);
	p[6] = (char)('0' + mo % 10);
	p[7] = '-';
	p[8] = (char)('0' + d / 10);
	p[9] = (char)('0' + d % 10);
	p[10] = 'T';
	p[11] = (char)('0' + rem / 36000);
	p[12] = (char)('0' + rem / 3600 % 10);
	p[13] = ':';
	p[14] = (char)('0' + rem % 3600 / 600);
	p[15] = (char)('0' + rem % 3600 / 60 % 10);
	p[16] = ':';
	p[17] = (char)('0' + rem % 60 / 10);
	p[18] = (char)('0' + rem % 10);
	p[19] = '.';
	for (i = 28; i >= 20; i--, frac /= 10)
		p[i] = (char)('0' + frac % 10);
	p[29] = 'Z';
	p[30] = '\0';
	return 30;
}
