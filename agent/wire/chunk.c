/* chunk.c - decodes the chunked transfer coding in place (RFC 9112 section
 * 7.1) one byte of framing at a time, copying payload runs with memmove;
 * identity bodies pass through with a byte count.
 */
#include <string.h>
#include "chunk.h"
#include "config.h"
#include "err.h"

enum {
	S_SIZE0,     /* first hex digit of a size line */
	S_SIZE,      /* more hex digits, or the end of the digits */
	S_EXT,       /* chunk extension or whitespace, skipped to the line end */
	S_SIZE_LF,   /* CR seen after the size line */
	S_DATA,      /* payload */
	S_DATA_CR,   /* CRLF after the payload */
	S_DATA_LF,
	S_TRAILER0,  /* start of a trailer line, or the final empty line */
	S_TRAILER,   /* inside a trailer line */
	S_TRAILER_LF,/* CR seen after a trailer line */
	S_END_LF,    /* CR seen on the final empty line */
	S_DONE
};

void dk_chunk_init(struct dk_chunk *c, enum dk_body_mode mode, uint64_t length)
{
	memset(c, 0, sizeof *c);
	c->mode = mode;
	c->left = mode == DK_BODY_LENGTH ? length : 0;
	if (mode == DK_BODY_NONE || (mode == DK_BODY_LENGTH && length == 0))
		c->state = S_DONE;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Payload decoded before the error is still handed out. */
static int fail(struct dk_chunk *c, int err, size_t *out, size_t o)
{
	c->err = err;
	*out = o;
	return err;
}

/* After a size line: payload, or the trailer section for the last chunk. */
static void size_done(struct dk_chunk *c)
{
	c->state = c->left ? S_DATA : S_TRAILER0;
	c->line = 0;
}

static int identity(struct dk_chunk *c, size_t len, size_t *out)
{
	if (c->mode == DK_BODY_CLOSE) {
		*out = len;
		return 0;
	}
	if (c->state == S_DONE) {
		*out = 0;
		return DK_CHUNK_END;
	}
	*out = len < c->left ? len : (size_t)c->left;
	c->left -= *out;
	if (c->left == 0) {
		c->state = S_DONE;
		return DK_CHUNK_END;
	}
	return 0;
}

int dk_chunk_decode(struct dk_chunk *c, char *buf, size_t len, size_t *out)
{
	size_t i = 0, o = 0;

	*out = 0;
	if (c->err)
		return c->err;
	if (c->mode != DK_BODY_CHUNKED)
		return identity(c, len, out);
	if (c->state == S_DONE)
		return DK_CHUNK_END;
	while (i < len) {
		int ch = (unsigned char)buf[i], v;

		switch (c->state) {
		case S_DATA: {
			size_t n = len - i;
			if (n > c->left)
				n = (size_t)c->left;
			if (o != i)
				memmove(buf + o, buf + i, n);
			o += n;
			i += n;
			c->left -= n;
			if (c->left == 0)
				c->state = S_DATA_CR;
			continue;
		}
		case S_SIZE0:
		case S_SIZE:
			v = hexval(ch);
			if (v >= 0) {
				if (++c->digits > DK_CHUNK_HEX_MAX)
					return fail(c, DK_ERR_CHUNK_BIG, out, o);
				c->left = c->left * 16 + (uint64_t)v;
				c->state = S_SIZE;
			/* A size line starts with a digit: unlike the catch-all
			 * below, ';', space and line ends are wrong here too. */
			} else if (c->state == S_SIZE0) { /* NOLINT(bugprone-branch-clone) */
				return fail(c, DK_ERR_CHUNK, out, o);
			} else if (ch == ';' || ch == ' ' || ch == '\t') {
				c->state = S_EXT;
				c->line = 0;
			} else if (ch == '\r') {
				c->state = S_SIZE_LF;
			} else if (ch == '\n') {
				size_done(c);
			} else {
				return fail(c, DK_ERR_CHUNK, out, o);
			}
			break;
		case S_EXT:
			if (ch == '\r')
				c->state = S_SIZE_LF;
			else if (ch == '\n')
				size_done(c);
			else if (++c->line > DK_CHUNK_LINE_MAX)
				return fail(c, DK_ERR_CHUNK, out, o);
			break;
		case S_SIZE_LF:
			if (ch != '\n')
				return fail(c, DK_ERR_CHUNK, out, o);
			size_done(c);
			break;
		case S_DATA_CR:
			if (ch == '\r')
				c->state = S_DATA_LF;
			else if (ch == '\n')
				c->state = S_SIZE0, c->digits = 0;
			else
				return fail(c, DK_ERR_CHUNK, out, o);
			break;
		case S_DATA_LF:
			if (ch != '\n')
				return fail(c, DK_ERR_CHUNK, out, o);
			c->state = S_SIZE0;
			c->digits = 0;
			break;
		case S_TRAILER0:
			if (ch == '\r') {
				c->state = S_END_LF;
			} else if (ch == '\n') {
				c->state = S_DONE;
			} else {
				c->state = S_TRAILER;
				c->line = 1;
			}
			break;
		case S_TRAILER:
			if (ch == '\r')
				c->state = S_TRAILER_LF;
			else if (ch == '\n')
				c->state = S_TRAILER0;
			else if (++c->line > DK_CHUNK_LINE_MAX)
				return fail(c, DK_ERR_CHUNK, out, o);
			break;
		case S_TRAILER_LF:
		case S_END_LF:
			if (ch != '\n')
				return fail(c, DK_ERR_CHUNK, out, o);
			c->state = c->state == S_END_LF ? S_DONE : S_TRAILER0;
			break;
		}
		i++;
		if (c->state == S_DONE)
			break;
	}
	*out = o;
	return c->state == S_DONE ? DK_CHUNK_END : 0;
}

int dk_chunk_eof(struct dk_chunk *c)
{
	if (c->err)
		return c->err;
	if (c->state == S_DONE || c->mode == DK_BODY_CLOSE)
		return DK_CHUNK_END;
	return DK_ERR_TRUNCATED;
}
