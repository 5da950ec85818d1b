/* empty.c - the baseline for memory figures: an idle C program, so that
 * the agent's own private pages can be told from the C library's. */
#include <unistd.h>

int main(void)
{
	pause();
	return 0;
}
