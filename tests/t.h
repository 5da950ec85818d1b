/* t.h - the unit-test harness: TAP output, one binary per core module.
 *
 * T_OK(cond, fmt, ...) records one test point; T_DONE() prints the plan and
 * returns the exit status (1 if any point failed). Include once per binary.
 */
#ifndef DK_T_H
#define DK_T_H

#include <stdio.h>
#include <string.h>

static int t_num, t_failed;

#define T_OK(cond, ...) do { \
	int t_c_ = !!(cond); \
	t_num++; \
	if (!t_c_) t_failed++; \
	printf("%sok %d - ", t_c_ ? "" : "not ", t_num); \
	printf(__VA_ARGS__); \
	if (!t_c_) printf(" # at %s:%d", __FILE__, __LINE__); \
	printf("\n"); \
} while (0)

/* Equality of two ints, printing both on failure. */
#define T_EQ(got, want, ...) do { \
	long long t_g_ = (long long)(got), t_w_ = (long long)(want); \
	T_OK(t_g_ == t_w_, __VA_ARGS__); \
	if (t_g_ != t_w_) printf("#   got %lld, want %lld\n", t_g_, t_w_); \
} while (0)

/* Equality of a (pointer, length) slice and a C string. */
#define T_STR(p, n, want, ...) do { \
	const char *t_p_ = (p); size_t t_n_ = (n); const char *t_w_ = (want); \
	int t_s_ = t_p_ && t_n_ == strlen(t_w_) && memcmp(t_p_, t_w_, t_n_) == 0; \
	T_OK(t_s_, __VA_ARGS__); \
	if (!t_s_) printf("#   got '%.*s', want '%s'\n", t_p_ ? (int)t_n_ : 6, \
	                  t_p_ ? t_p_ : "(null)", t_w_); \
} while (0)

#define T_DONE() (printf("1..%d\n", t_num), t_failed != 0)

/* Read a whole test data file into buf; returns its length, -1 on error. */
static inline long t_slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	if (!f) return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n == cap ? -1 : (long)n;
}

#endif
