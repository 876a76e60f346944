/*
 * Taproot script trees of tr() descriptors: the merkle root from the
 * leaves' depths (BIP341), and the tree as Core's InferTaprootTree rebuilds
 * it from spending data, which is what scantxoutset prints. Core loses the
 * order the descriptor gave: it walks the leaves in the order of their
 * scripts' bytes, sending the first one down the left branches, and places
 * each later one by the partner hashes of its merkle path.
 */
#include <stdlib.h>
#include <string.h>

#include "chain/descriptor_int.h"
#include "script/script.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* The tree as the descriptor built it. */
struct bnode {
	uint8_t hash[32];
	int sub[2]; /* -1 for a leaf */
	size_t leaf;
};

/* The tree as Core rebuilds it (its TreeNode). */
struct inode {
	uint8_t hash[32];
	int hash_known, explored, inner, done;
	int sub[2];
	size_t leaf;
};

struct build {
	struct bnode *b;
	size_t nb;
	struct inode *in;
	size_t nin;
	/* Per leaf: partner hashes from the root down. */
	uint8_t (**path)[32];
	size_t *npath;
	const struct desc_tapleaf *l;
};

/* Builds the descriptor's tree; returns the root's index. */
static int
build_tree(struct build *t, size_t n)
{
	int *stack = xcalloc(n, sizeof(*stack));
	int *depth = xcalloc(n, sizeof(*depth));
	size_t top = 0, i;
	int root;

	t->b = xcalloc(2 * n, sizeof(*t->b));
	for (i = 0; i < n; i++) {
		struct bnode *b = &t->b[t->nb];

		script_tapleaf_hash(TAPROOT_LEAF_TAPSCRIPT, t->l[i].script,
		    t->l[i].len, b->hash);
		b->sub[0] = b->sub[1] = -1;
		b->leaf = i;
		stack[top] = (int)t->nb++;
		depth[top++] = t->l[i].depth;
		while (top >= 2 && depth[top - 1] == depth[top - 2]) {
			b = &t->b[t->nb];
			b->sub[0] = stack[top - 2];
			b->sub[1] = stack[top - 1];
			script_tapbranch_hash(t->b[b->sub[0]].hash,
			    t->b[b->sub[1]].hash, b->hash);
			stack[top - 2] = (int)t->nb++;
			depth[top - 2]--;
			top--;
		}
	}
	/* The parser only builds complete trees. */
	if (top != 1 || depth[0] != 0)
		fatalx("%s: incomplete taproot tree", __func__);
	root = stack[0];
	free(stack);
	free(depth);
	return root;
}

void
desc_taptree_root(const struct desc_tapleaf *l, size_t n, uint8_t root[32])
{
	struct build t;
	int r;

	memset(&t, 0, sizeof(t));
	t.l = l;
	r = build_tree(&t, n);
	memcpy(root, t.b[r].hash, 32);
	free(t.b);
}

/* Records each leaf's partner hashes, root first. */
static void
collect_paths(struct build *t, int node, uint8_t (*trail)[32], size_t d)
{
	struct bnode *b = &t->b[node];
	int i;

	if (b->sub[0] < 0) {
		t->path[b->leaf] = xcalloc(d + 1, 32);
		memcpy(t->path[b->leaf], trail, d * 32);
		t->npath[b->leaf] = d;
		return;
	}
	for (i = 0; i < 2; i++) {
		memcpy(trail[d], t->b[b->sub[1 - i]].hash, 32);
		collect_paths(t, b->sub[i], trail, d + 1);
	}
}

static int
new_inode(struct build *t)
{
	t->in = xreallocarray(t->in, t->nin + 1, sizeof(*t->in));
	memset(&t->in[t->nin], 0, sizeof(*t->in));
	t->in[t->nin].sub[0] = t->in[t->nin].sub[1] = -1;
	return (int)t->nin++;
}

/* Core's order of spending data: by script bytes, then by path. */
static int
cmp_leaf(const void *a, const void *b, void *arg)
{
	const struct build *t = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b, i;
	const struct desc_tapleaf *lx = &t->l[x], *ly = &t->l[y];
	size_t n = lx->len < ly->len ? lx->len : ly->len;
	int c = memcmp(lx->script, ly->script, n);

	if (c != 0)
		return c;
	if (lx->len != ly->len)
		return lx->len < ly->len ? -1 : 1;
	/* Control blocks: shorter first, then their bytes (leaf to root). */
	if (t->npath[x] != t->npath[y])
		return t->npath[x] < t->npath[y] ? -1 : 1;
	for (i = t->npath[x]; i-- > 0;)
		if ((c = memcmp(t->path[x][i], t->path[y][i], 32)) != 0)
			return c;
	return 0;
}

/* Places leaf i as Core's InferTaprootTree does; -1 where Core gives up. */
static int
place(struct build *t, size_t i)
{
	int node = 0, k, s0, s1;
	size_t d;

	for (d = 0; d < t->npath[i]; d++) {
		const uint8_t *h = t->path[i][d];

		if (t->in[node].explored && !t->in[node].inner)
			return -1;
		if (t->in[node].sub[0] >= 0) {
			for (k = 0; k < 2; k++) {
				struct inode *a = &t->in[t->in[node].sub[k]];
				struct inode
				    *o = &t->in[t->in[node].sub[1 - k]];

				if ((a->hash_known &&
					memcmp(a->hash, h, 32) == 0) ||
				    (!a->hash_known &&
					!(o->hash_known &&
					    memcmp(o->hash, h, 32) == 0)))
					break;
			}
			if (k == 2)
				return -1;
			memcpy(t->in[t->in[node].sub[k]].hash, h, 32);
			t->in[t->in[node].sub[k]].hash_known = 1;
			node = t->in[node].sub[1 - k];
		} else {
			t->in[node].explored = t->in[node].inner = 1;
			s0 = new_inode(t);
			s1 = new_inode(t);
			t->in[node].sub[0] = s0;
			t->in[node].sub[1] = s1;
			memcpy(t->in[s1].hash, h, 32);
			t->in[s1].hash_known = 1;
			node = s0;
		}
	}
	if (t->in[node].sub[0] >= 0)
		return -1;
	t->in[node].explored = 1;
	t->in[node].inner = 0;
	t->in[node].leaf = i;
	script_tapleaf_hash(TAPROOT_LEAF_TAPSCRIPT, t->l[i].script,
	    t->l[i].len, t->in[node].hash);
	t->in[node].hash_known = 1;
	return 0;
}

/* Prints Core's rebuilt tree: leaves left first, braces by depth. */
static int
print_tree(struct build *t, int node, char **buf)
{
	struct inode *in = &t->in[node];
	int i;

	if (!in->explored)
		return -1;
	if (!in->inner) {
		desc_append(buf, ",%s", t->l[in->leaf].inferred);
		return 0;
	}
	desc_append(buf, ",{");
	for (i = 0; i < 2; i++)
		if (print_tree(t, in->sub[i], buf) != 0)
			return -1;
	desc_append(buf, "}");
	return 0;
}

int
desc_taptree_infer(const struct desc_tapleaf *l, size_t n, char **buf)
{
	uint8_t(*trail)[32] = xcalloc(DESC_MAX_TREE_DEPTH + 1, 32);
	size_t *order = xcalloc(n, sizeof(*order)), i;
	char *s = NULL, *p, *q;
	struct build t;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	t.l = l;
	t.path = xcalloc(n, sizeof(*t.path));
	t.npath = xcalloc(n, sizeof(*t.npath));
	collect_paths(&t, build_tree(&t, n), trail, 0);
	for (i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_leaf, &t);
	new_inode(&t);
	for (i = 0; i < n && rc == 0; i++)
		rc = place(&t, order[i]);
	if (rc == 0)
		rc = print_tree(&t, 0, &s);
	if (rc == 0) {
		/* ",{,a,b}" style joins back into Core's ",{a,b}". */
		for (p = q = s; *p != '\0'; p++) {
			if (*p == ',' && q > s && q[-1] == '{')
				continue;
			*q++ = *p;
		}
		*q = '\0';
		desc_append(buf, "%s", s);
	}
	free(s);
	for (i = 0; i < n; i++)
		free(t.path[i]);
	free(t.path);
	free(t.npath);
	free(t.b);
	free(t.in);
	free(order);
	free(trail);
	return rc;
}
