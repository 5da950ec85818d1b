/* alloccount.c - an LD_PRELOAD shim for `make soak`: counts the heap
 * allocations of a process (malloc, calloc, realloc, aligned forms) and
 * writes "alloccount: N allocations, M bytes" to stderr at exit, so a
 * soak run can show the count does not grow with events or reconnects.
 * Forwards to glibc's __libc_* entry points (no dlsym, which allocates).
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t k, size_t n);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t a, size_t n);
void __libc_free(void *p);

void *malloc(size_t n);
void *calloc(size_t k, size_t n);
void *realloc(void *p, size_t n);
void free(void *p);
void *memalign(size_t a, size_t n);
int posix_memalign(void **out, size_t a, size_t n);
void *aligned_alloc(size_t a, size_t n);

static atomic_ulong count, bytes;

static void counted(size_t n)
{
	atomic_fetch_add(&count, 1);
	atomic_fetch_add(&bytes, n);
}

void *malloc(size_t n) { counted(n); return __libc_malloc(n); }
void *calloc(size_t k, size_t n) { counted(k * n); return __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { counted(n); return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t a, size_t n) { counted(n); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { counted(n); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n)
{
	counted(n);
	*out = __libc_memalign(a, n);
	return *out ? 0 : 12; /* ENOMEM */
}

__attribute__((destructor)) static void report(void)
{
	char line[96];
	int n = snprintf(line, sizeof line, "alloccount: %lu allocations, %lu bytes\n",
	                 (unsigned long)atomic_load(&count), (unsigned long)atomic_load(&bytes));
	if (n > 0 && write(2, line, (size_t)n) < 0) {
		/* nothing to do */
	}
}
