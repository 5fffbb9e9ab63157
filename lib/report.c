/* report: the lines of a scan report, their order, and the text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"

#define LOG_SUFFIX	"/log"

static const char *const kind_word[] = {
	[REPORT_ADDED] = "added",
	[REPORT_REMOVED] = "removed",
	[REPORT_CHANGED] = "changed",
	[REPORT_RESTARTED] = "restarted",
	[REPORT_INVALID] = "invalid",
	[REPORT_CYCLE] = "cycle",
};

void
report_init(struct report *r)
{
	memset(r, 0, sizeof *r);
}

/* S escaped, in memory of its own; NULL (ENOMEM) when there is none. */
static char *
escaped(const char *s)
{
	size_t size = ESC_SIZE(strlen(s));
	char *e;

	if ((e = malloc(size)) != NULL)
		esc_text(e, size, s);
	return e;
}

/*
 * ARRAY (of *CAP things of SIZE bytes, N in use) with room for one
 * more: ARRAY itself, or where it moved; NULL (ENOMEM) when it cannot.
 */
static void *
grow(void *array, size_t *cap, size_t n, size_t size)
{
	void *grown;
	size_t want;

	if (n < *cap)
		return array;
	want = *cap != 0 ? *cap * 2 : 16;
	if ((grown = realloc(array, want * size)) == NULL)
		return NULL;
	*cap = want;
	return grown;
}

int
report_add(struct report *r, enum report_kind kind, const char *name,
    const char *detail)
{
	struct report_line *l;

	if (r->nlines >= REPORT_MAX_LINES) {
		errno = ENOBUFS;
		return -1;
	}
	if ((l = grow(r->lines, &r->caplines, r->nlines, sizeof *l)) == NULL)
		return -1;
	r->lines = l;
	l = &r->lines[r->nlines];
	l->kind = kind;
	l->seq = r->seq;
	l->detail = NULL;
	if ((l->name = escaped(name)) == NULL ||
	    (detail != NULL && (l->detail = escaped(detail)) == NULL)) {
		free(l->name);
		return -1;
	}
	r->seq++;
	r->nlines++;
	r->sorted = 0;
	return 0;
}

int
report_changed(struct report *r, const char *name, unsigned parts)
{
	char detail[sizeof " run conf env"];

	if (parts == 0)
		return 0;
	snprintf(detail, sizeof detail, "%s%s%s",
	    parts & REPORT_RUN ? " run" : "",
	    parts & REPORT_CONF ? " conf" : "",
	    parts & REPORT_ENV ? " env" : "");
	return report_add(r, REPORT_CHANGED, name, detail + 1);
}

char *
report_cycle_text(const char *const *names, size_t n)
{
	size_t i, size = 1, len = 0;
	char *text;

	for (i = 0; i < n; i++)
		size += ESC_SIZE(strlen(names[i])) + 4;
	if ((text = malloc(size)) == NULL)
		return NULL;
	text[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0) {
			memcpy(text + len, " -> ", 5);
			len += 4;
		}
		esc_text(text + len, size - len, names[i]);
		len += strlen(text + len);
	}
	return text;
}

int
report_cycle(struct report *r, const char *const *names, size_t n)
{
	struct report_line *l;
	char *text;

	if (r->nlines >= REPORT_MAX_LINES) {
		errno = ENOBUFS;
		return -1;
	}
	if ((text = report_cycle_text(names, n)) == NULL)
		return -1;
	if ((l = grow(r->lines, &r->caplines, r->nlines, sizeof *l)) == NULL) {
		free(text);
		return -1;
	}
	r->lines = l;
	l = &r->lines[r->nlines];
	l->kind = REPORT_CYCLE;
	l->seq = r->seq++;
	l->name = text;
	l->detail = NULL;
	r->nlines++;
	r->sorted = 0;
	return 0;
}

int
report_port(struct report *r, unsigned port, const char *name)
{
	struct report_port *p;

	if (port == 0)
		return 0;
	if ((p = grow(r->ports, &r->capports, r->nports, sizeof *p)) == NULL)
		return -1;
	r->ports = p;
	p = &r->ports[r->nports];
	p->port = port;
	if ((p->name = escaped(name)) == NULL)
		return -1;
	r->nports++;
	return 0;
}

int
report_unit(struct report *r, const char *name)
{
	char **units, *e;

	units = grow(r->units, &r->capunits, r->nunits, sizeof *units);
	if (units == NULL)
		return -1;
	r->units = units;
	if ((e = escaped(name)) == NULL)
		return -1;
	r->units[r->nunits++] = e;
	return 0;
}

/* ---- order ---- */

static int
compare_lines(const void *a, const void *b)
{
	const struct report_line *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
compare_ports(const void *a, const void *b)
{
	const struct report_port *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
sort(struct report *r)
{
	if (r->sorted)
		return;
	if (r->nlines > 1)
		qsort(r->lines, r->nlines, sizeof *r->lines, compare_lines);
	if (r->nports > 1)
		qsort(r->ports, r->nports, sizeof *r->ports, compare_ports);
	r->sorted = 1;
}

/*
 * The first of the sorted lines whose name is the LEN bytes of NAME, or
 * r->nlines when none is.
 */
static size_t
first_named(const struct report *r, const char *name, size_t len)
{
	size_t lo = 0, hi = r->nlines, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strncmp(r->lines[mid].name, name, len);
		if (c == 0 && r->lines[mid].name[len] != '\0')
			c = 1;	/* longer: after NAME */
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->nlines && strncmp(r->lines[lo].name, name, len) == 0 &&
	    r->lines[lo].name[len] == '\0')
		return lo;
	return r->nlines;
}

/* A line names UNIT: its own, or its service's added or removed. */
static int
has_line(const struct report *r, const char *unit)
{
	size_t len = strlen(unit), suffix = strlen(LOG_SUFFIX), i;
	const struct report_line *l;

	if (first_named(r, unit, len) < r->nlines)
		return 1;
	if (len <= suffix || strcmp(unit + len - suffix, LOG_SUFFIX) != 0)
		return 0;
	len -= suffix;
	for (i = first_named(r, unit, len); i < r->nlines; i++) {
		l = &r->lines[i];
		if (strncmp(l->name, unit, len) != 0 || l->name[len] != '\0')
			break;
		if (l->kind == REPORT_ADDED || l->kind == REPORT_REMOVED)
			return 1;
	}
	return 0;
}

int
report_has(const struct report *r, enum report_kind kind, const char *name)
{
	char *e;
	size_t i;
	int found = 0;

	if ((e = escaped(name)) == NULL)
		return 0;
	for (i = 0; i < r->nlines && !found; i++)
		found = r->lines[i].kind == kind &&
		    strcmp(r->lines[i].name, e) == 0;
	free(e);
	return found;
}

size_t
report_count(const struct report *r, enum report_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < r->nlines; i++)
		n += r->lines[i].kind == kind;
	return n;
}

size_t
report_unchanged(struct report *r)
{
	size_t i, n = 0;

	sort(r);
	for (i = 0; i < r->nunits; i++)
		n += !has_line(r, r->units[i]);
	return n;
}

/* ---- text ---- */

struct out {
	char	*buf;
	size_t	 size;
	size_t	 len;		/* as if SIZE were unbounded */
};

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
	    o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* The conflict lines: two or more units on one port. */
static void
put_conflicts(const struct report *r, struct out *o)
{
	size_t i, j;

	for (i = 0; i < r->nports; i = j) {
		for (j = i + 1; j < r->nports &&
		    r->ports[j].port == r->ports[i].port; j++)
			;
		if (j - i < 2)
			continue;
		put(o, "conflict port %u:", r->ports[i].port);
		for (; i < j; i++)
			put(o, " %s", r->ports[i].name);
		put(o, "\n");
	}
}

size_t
report_format(struct report *r, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	const struct report_line *l;
	size_t i;

	if (size > 0)
		buf[0] = '\0';
	sort(r);
	for (i = 0; i < r->nlines; i++) {
		l = &r->lines[i];
		if (l->detail != NULL)
			put(&o, "%s %s: %s\n", kind_word[l->kind], l->name,
			    l->detail);
		else
			put(&o, "%s %s\n", kind_word[l->kind], l->name);
	}
	put_conflicts(r, &o);
	put(&o, "unchanged %zu\n", report_unchanged(r));
	return o.len;
}

void
report_clear(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nlines; i++) {
		free(r->lines[i].name);
		free(r->lines[i].detail);
	}
	for (i = 0; i < r->nports; i++)
		free(r->ports[i].name);
	for (i = 0; i < r->nunits; i++)
		free(r->units[i]);
	free(r->lines);
	free(r->ports);
	free(r->units);
	report_init(r);
}
