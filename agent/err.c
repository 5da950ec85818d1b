/* err.c - dk_strerror over the DK_ERRORS table. */
#include "err.h"

const char *dk_strerror(int err)
{
	switch (err) {
#define DK_ERR_CASE(name, value, text) case value: return text;
	DK_ERRORS(DK_ERR_CASE)
#undef DK_ERR_CASE
	}
	return "unknown error";
}
