/* tree: restarts, starts, the needs graph, its cycles, the shutdown order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

#define NONE	((size_t)-1)

/* ---- restarts ---- */

void
tree_restart_init(struct tree_restart *r)
{
	r->started = 0;
	r->delay_ms = TREE_RESTART_MIN_MS;
}

void
tree_restart_started(struct tree_restart *r, int64_t now)
{
	r->started = now;
}

int64_t
tree_restart_died(struct tree_restart *r, int64_t now)
{
	int64_t at;

	if (now - r->started >= TREE_HEALTHY_MS)
		r->delay_ms = TREE_RESTART_MIN_MS;
	at = now + r->delay_ms;
	if (r->delay_ms < TREE_RESTART_MAX_MS)
		r->delay_ms *= 2;
	if (r->delay_ms > TREE_RESTART_MAX_MS)
		r->delay_ms = TREE_RESTART_MAX_MS;
	return at;
}

/* ---- starts ---- */

void
tree_unit_init(struct tree_unit *u)
{
	u->at = -1;
	tree_restart_init(&u->rs);
}

size_t
tree_scan_starts(const struct tree_found *found, size_t n, int64_t now,
    struct tree_action *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (!found[i].ready) {
			out[k++] = (struct tree_action){ i, 0,
			    now + TREE_RESTART_MAX_MS };
			continue;
		}
		if (found[i].has_log)
			out[k++] = (struct tree_action){ i, 1, now };
		out[k++] = (struct tree_action){ i, 0, now };
	}
	return k;
}

static int
due(const struct tree_unit *u, int64_t now)
{
	return u != NULL && u->at >= 0 && now >= u->at;
}

size_t
tree_due(const struct tree_svc *svcs, size_t n, int missing, int64_t now,
    struct tree_action *out)
{
	size_t i, k = 0;

	if (missing)
		return 0;
	for (i = 0; i < n; i++) {
		if (due(svcs[i].log, now))
			out[k++] = (struct tree_action){ i, 1, now };
		if (due(svcs[i].main, now))
			out[k++] = (struct tree_action){ i, 0, now };
	}
	return k;
}

static void
earlier(const struct tree_unit *u, int64_t *at)
{
	if (u != NULL && u->at >= 0 && (*at < 0 || u->at < *at))
		*at = u->at;
}

int64_t
tree_next_start(const struct tree_svc *svcs, size_t n, int missing)
{
	int64_t at = -1;
	size_t i;

	if (missing)
		return -1;
	for (i = 0; i < n; i++) {
		earlier(svcs[i].main, &at);
		earlier(svcs[i].log, &at);
	}
	return at;
}

int64_t
tree_unit_started(struct tree_unit *u, int ok, int64_t now)
{
	u->at = ok ? -1 : now + u->rs.delay_ms;
	tree_restart_started(&u->rs, now);
	return u->at;
}

void
tree_unit_later(struct tree_unit *u, int64_t at)
{
	u->at = at;
}

void
tree_unit_cancel(struct tree_unit *u)
{
	u->at = -1;
}

int64_t
tree_unit_died(struct tree_unit *u, int gone, int64_t now)
{
	u->at = gone ? -1 : tree_restart_died(&u->rs, now);
	return u->at;
}

/* ---- the graph ---- */

static size_t
find(const struct tree_node *nodes, size_t n, const char *name)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(nodes[mid].name, name);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

static int
compare_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Tarjan's strongly connected components, iteratively. */
struct tarjan {
	size_t	*index, *low, *onstack, *stack, *call, *pos;
	size_t	 sp, next, ncomp;
};

static void
components(struct tree *t, struct tarjan *w)
{
	size_t root, v, u, csp, k;

	for (root = 0; root < t->n; root++) {
		if (w->index[root] != NONE)
			continue;
		csp = 0;
		w->call[csp++] = root;
		w->pos[root] = t->first[root];
		w->index[root] = w->low[root] = w->next++;
		w->stack[w->sp++] = root;
		w->onstack[root] = 1;
		while (csp > 0) {
			v = w->call[csp - 1];
			if (w->pos[v] < t->first[v + 1]) {
				u = t->edge[w->pos[v]++];
				if (w->index[u] == NONE) {
					w->index[u] = w->low[u] = w->next++;
					w->stack[w->sp++] = u;
					w->onstack[u] = 1;
					w->pos[u] = t->first[u];
					w->call[csp++] = u;
				} else if (w->onstack[u] &&
				    w->index[u] < w->low[v])
					w->low[v] = w->index[u];
				continue;
			}
			csp--;
			if (csp > 0 && w->low[v] < w->low[w->call[csp - 1]])
				w->low[w->call[csp - 1]] = w->low[v];
			if (w->low[v] != w->index[v])
				continue;
			t->compsize[w->ncomp] = 0;
			do {
				k = w->stack[--w->sp];
				w->onstack[k] = 0;
				t->comp[k] = w->ncomp;
				t->compsize[w->ncomp]++;
			} while (k != v);
			w->ncomp++;
		}
	}
}

int
tree_build(struct tree *t, struct tree_node *nodes, size_t n)
{
	struct tarjan w;
	size_t i, j, k, m = 0, *smallest;
	int ok;

	memset(t, 0, sizeof *t);
	t->nodes = nodes;
	t->n = n;
	for (i = 0; i < n; i++)
		m += nodes[i].nneeds;
	memset(&w, 0, sizeof w);
	t->first = calloc(n + 1, sizeof *t->first);
	t->rfirst = calloc(n + 2, sizeof *t->rfirst);
	t->edge = calloc(m + 1, sizeof *t->edge);
	t->redge = calloc(m + 1, sizeof *t->redge);
	t->comp = calloc(n + 1, sizeof *t->comp);
	t->compsize = calloc(n + 1, sizeof *t->compsize);
	t->cycles = calloc(n + 1, sizeof *t->cycles);
	t->mark = calloc(n + 1, sizeof *t->mark);
	t->stack = calloc(n + 1, sizeof *t->stack);
	w.index = malloc((n + 1) * sizeof *w.index);
	w.low = calloc(n + 1, sizeof *w.low);
	w.onstack = calloc(n + 1, sizeof *w.onstack);
	w.stack = calloc(n + 1, sizeof *w.stack);
	w.call = calloc(n + 1, sizeof *w.call);
	w.pos = calloc(n + 1, sizeof *w.pos);
	ok = t->first && t->rfirst && t->edge && t->redge && t->comp &&
	    t->compsize && t->cycles && t->mark && t->stack && w.index &&
	    w.low && w.onstack && w.stack && w.call && w.pos;
	if (ok) {
		/* Edges: i -> what i needs, each once, in name order. */
		for (i = 0, m = 0; i < n; i++) {
			t->first[i] = m;
			for (j = 0; j < nodes[i].nneeds; j++) {
				k = find(nodes, n, nodes[i].needs[j]);
				if (k != NONE && k != i)
					t->edge[m++] = k;
			}
			qsort(t->edge + t->first[i], m - t->first[i],
			    sizeof *t->edge, compare_size);
			for (j = k = t->first[i]; j < m; j++)
				if (j == t->first[i] || t->edge[j] !=
				    t->edge[j - 1])
					t->edge[k++] = t->edge[j];
			m = k;
		}
		t->first[n] = m;
		/* Reverse edges, by counting. */
		for (i = 0; i < m; i++)
			t->rfirst[t->edge[i] + 2]++;
		for (i = 2; i < n + 2; i++)
			t->rfirst[i] += t->rfirst[i - 1];
		for (i = 0; i < n; i++)
			for (j = t->first[i]; j < t->first[i + 1]; j++)
				t->redge[t->rfirst[t->edge[j] + 1]++] = i;
		for (i = 0; i < n; i++)
			w.index[i] = NONE;
		components(t, &w);
		/* A cycle per component of two or more: its smallest node. */
		smallest = w.low;	/* reused: by component */
		for (i = 0; i < w.ncomp; i++)
			smallest[i] = NONE;
		for (i = 0; i < n; i++)
			if (smallest[t->comp[i]] == NONE)
				smallest[t->comp[i]] = i;
		for (i = 0; i < n; i++)
			if (t->compsize[t->comp[i]] >= 2 &&
			    smallest[t->comp[i]] == i)
				t->cycles[t->ncycles++] = i;
	}
	free(w.index);
	free(w.low);
	free(w.onstack);
	free(w.stack);
	free(w.call);
	free(w.pos);
	if (!ok) {
		tree_free(t);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
tree_free(struct tree *t)
{
	free(t->first);
	free(t->rfirst);
	free(t->edge);
	free(t->redge);
	free(t->comp);
	free(t->compsize);
	free(t->cycles);
	free(t->mark);
	free(t->stack);
	memset(t, 0, sizeof *t);
}

/* ---- shutdown ---- */

int
tree_may_stop(struct tree *t, size_t i)
{
	size_t sp = 0, v, j, u;

	if (++t->stamp == 0) {
		memset(t->mark, 0, t->n * sizeof *t->mark);
		t->stamp = 1;
	}
	t->mark[i] = t->stamp;
	t->stack[sp++] = i;
	while (sp > 0) {
		v = t->stack[--sp];
		for (j = t->rfirst[v]; j < t->rfirst[v + 1]; j++) {
			u = t->redge[j];
			if (t->mark[u] == t->stamp)
				continue;
			if (t->nodes[u].alive && t->comp[u] != t->comp[i])
				return 0;
			t->mark[u] = t->stamp;
			t->stack[sp++] = u;
		}
	}
	return 1;
}

size_t
tree_stop_now(struct tree *t, size_t *out)
{
	size_t i, n = 0;

	/* Decide first, then mark: one pass sees one state. */
	for (i = 0; i < t->n; i++)
		if (t->nodes[i].alive && !t->nodes[i].asked &&
		    tree_may_stop(t, i))
			out[n++] = i;
	for (i = 0; i < n; i++)
		t->nodes[out[i]].asked = 1;
	return n;
}

size_t
tree_depth(const struct tree *t)
{
	size_t *depth, *order, *count, i, j, v, u, c, best = 0;

	if (t->n == 0)
		return 0;
	depth = calloc(t->n, sizeof *depth);
	order = calloc(t->n, sizeof *order);
	count = calloc(t->n + 1, sizeof *count);
	if (depth == NULL || order == NULL || count == NULL) {
		best = t->n;		/* the most it can be */
		goto out;
	}
	/*
	 * Tarjan numbers a component after every one it reaches: what a
	 * node needs has a smaller number.  Nodes by component, then.
	 */
	for (i = 0; i < t->n; i++)
		count[t->comp[i] + 1]++;
	for (i = 1; i <= t->n; i++)
		count[i] += count[i - 1];
	for (i = 0; i < t->n; i++)
		order[count[t->comp[i]]++] = i;
	for (i = 0; i < t->n; i++) {
		v = order[i];
		c = t->comp[v];
		if (depth[c] == 0)
			depth[c] = 1;
		for (j = t->first[v]; j < t->first[v + 1]; j++) {
			u = t->edge[j];
			if (t->comp[u] != c && depth[t->comp[u]] + 1 > depth[c])
				depth[c] = depth[t->comp[u]] + 1;
		}
		if (depth[c] > best)
			best = depth[c];
	}
out:
	free(depth);
	free(order);
	free(count);
	return best;
}

int
tree_loggers_may_stop(const struct tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->nodes[i].alive)
			return 0;
	return 1;
}

/* ---- cycles ---- */

size_t
tree_ncycles(const struct tree *t)
{
	return t->ncycles;
}

/*
 * A path from S back to S inside its component, the smallest names
 * first (depth first, edges in name order): into PATH, its length.
 */
size_t
tree_cycle(const struct tree *t, size_t k, const char **names)
{
	size_t s = t->cycles[k], c = t->comp[s], sp = 0, v, u, *pos, *path;
	size_t n = 0, i;

	if ((pos = calloc(t->n + 1, sizeof *pos)) == NULL ||
	    (path = calloc(t->n + 1, sizeof *path)) == NULL) {
		free(pos);
		names[0] = t->nodes[s].name;
		return 1;
	}
	/* pos[v]: 0 unvisited, else 1 + the next edge to try. */
	path[sp++] = s;
	pos[s] = t->first[s] + 1;
	while (sp > 0) {
		v = path[sp - 1];
		if (pos[v] - 1 >= t->first[v + 1]) {
			sp--;		/* a dead end: stays visited */
			continue;
		}
		u = t->edge[pos[v]++ - 1];
		if (u == s) {
			for (i = 0; i < sp; i++)
				names[n++] = t->nodes[path[i]].name;
			names[n++] = t->nodes[s].name;
			break;
		}
		if (t->comp[u] != c || pos[u] != 0)
			continue;
		pos[u] = t->first[u] + 1;
		path[sp++] = u;
	}
	free(pos);
	free(path);
	return n;
}

size_t
tree_cycle_text(const struct tree *t, size_t k, char *buf, size_t size)
{
	const char **names;
	size_t n, i, len = 0;
	int w;

	if (size > 0)
		buf[0] = '\0';
	if ((names = calloc(t->n + 2, sizeof *names)) == NULL)
		return 0;
	n = tree_cycle(t, k, names);
	for (i = 0; i < n; i++) {
		w = snprintf(len < size ? buf + len : NULL,
		    len < size ? size - len : 0, "%s%s", i ? " -> " : "",
		    names[i]);
		if (w > 0)
			len += (size_t)w;
	}
	free(names);
	return len;
}
