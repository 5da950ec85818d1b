/* test_out.c - the bounded writer: appends past cap, the cut point, JSON
 * string bodies, and the text escaper the one-line printer and the log use
 * (an event's control bytes must never start a line of their own). */
#include "t.h"
#include "out.h"
#include "err.h"

static void text_is(const char *in, size_t n, const char *want)
{
	char buf[256];
	struct dk_out o;

	dk_out_init(&o, buf, sizeof buf);
	dk_out_text(&o, in, n);
	T_EQ(dk_out_end(&o), (long)strlen(want), "text: length for '%s'", want);
	T_STR(buf, o.len, want, "text: '%s'", want);
}

static void test_text(void)
{
	text_is("plain text, UTF-8 \xc3\xa9 \xe2\x82\xac", 24, "plain text, UTF-8 \xc3\xa9 \xe2\x82\xac");
	text_is("start\ndockev: error: forged", 27, "start\\ndockev: error: forged");
	text_is("a\rb\tc", 5, "a\\rb\\tc");
	text_is("\x1b[31mred", 8, "\\x1b[31mred");
	text_is("nul\0x", 5, "nul\\x00x");
	text_is("\x01\x1f\x7f", 3, "\\x01\\x1f\\x7f");
	text_is("csi \xc2\x9b" "31m", 9, "csi \\u009b31m");
	text_is("\xc2\x80\xc2\x9f\xc2\xa0", 6, "\\u0080\\u009f\xc2\xa0"); /* NBSP stays */
	text_is("lone \xc2", 6, "lone \xc2");
	text_is("back\\slash \"q\"", 14, "back\\slash \"q\"");
	text_is("", 0, "");
}

/* A cut never splits an escape: fit ends before the first append that did
 * not fit. */
static void test_fit(void)
{
	char buf[8];
	struct dk_out o;

	dk_out_init(&o, buf, 6);
	dk_out_text(&o, "abc\n\n", 5);
	T_EQ(o.fit, 5, "fit: 'abc' and one escape");
	T_OK(o.len > o.cap, "fit: the rest counted, not written");
	T_STR(buf, o.fit, "abc\\n", "fit: whole escapes only");
	T_EQ(dk_out_end(&o), DK_ERR_NOSPACE, "fit: end says it did not fit");
	dk_out_init(&o, buf, 6);
	dk_out_text(&o, "abcdefgh", 8);
	T_STR(buf, o.fit, "abcdef", "fit: plain text cut where the room ends");
	dk_out_init(&o, buf, 6);
	dk_out_text(&o, "abcd\xc3\xa9\xc3\xa9", 8);
	T_STR(buf, o.fit, "abcd\xc3\xa9", "fit: a whole UTF-8 character");
	dk_out_init(&o, buf, 6);
	dk_out_text(&o, "abcde\xc3\xa9", 7);
	T_STR(buf, o.fit, "abcde", "fit: never half of a UTF-8 character");
	dk_out_init(&o, buf, sizeof buf);
	dk_out_str(&o, "1234");
	dk_out_str(&o, "56789");
	dk_out_str(&o, "x");
	T_EQ(o.fit, 4, "fit: nothing after the first append that did not fit");
}

static void test_json(void)
{
	char buf[64];
	struct dk_out o;

	dk_out_init(&o, buf, sizeof buf);
	dk_out_json(&o, "a\"b\\c\n\x01", 7);
	T_EQ(dk_out_end(&o), 19, "json: length");
	T_STR(buf, o.len, "a\\\"b\\\\c\\u000a\\u0001", "json: quote, backslash, controls");
}

int main(void)
{
	test_text();
	test_fit();
	test_json();
	return T_DONE();
}
