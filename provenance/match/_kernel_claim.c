/*
 * prov's compiled kernel, a candidate's claims (align.align's first steps on word ids):
 * the passages the copy holds word for word, then the others, most voted first, searched
 * around their diagonals and claimed when they count (pk_claim_all); and the memo of a
 * copy (a dict of bytes to bytes: pk_memo_key, pk_memo_put) that keeps each vote and
 * search by what it is a function of, for the next candidate of the same copy.
 */
#include "_kernel.h"

/* A passage voted for (claim): its votes, index, and diagonals meds[at..at + n). */
typedef struct {
    Py_ssize_t votes, passage, at, n;
} Voted;

static int cmp_voted(const void *x, const void *y) { /* most votes first, then in order */
    const Voted *a = x, *b = y;
    if (a->votes != b->votes) return a->votes > b->votes ? -1 : 1;
    return (a->passage > b->passage) - (a->passage < b->passage);
}

/* claims._first_free_copy: the first free verbatim occurrence of p (size ids) in the copy
 * at or after `after`, else the first one before it; anchors (sorted, n of them): the
 * copy positions of p's n-gram at offset k; at most max_tries tried on either side.
 * -1: none. */
static Py_ssize_t first_free(const int64_t *c, Py_ssize_t lc, const unsigned char *u,
                             const int64_t *p, Py_ssize_t size, const int64_t *anchors,
                             Py_ssize_t n, Py_ssize_t k, Py_ssize_t after, Py_ssize_t max_tries) {
    Py_ssize_t start = pk_bound(anchors, n, after + k, 0);
    const Py_ssize_t sides[2][2] = {{start, n}, {0, start}};
    for (int side = 0; side < 2; side++) {
        const Py_ssize_t lo = sides[side][0];
        const Py_ssize_t hi = sides[side][1] < lo + max_tries ? sides[side][1] : lo + max_tries;
        for (Py_ssize_t a = lo; a < hi; a++) {
            const Py_ssize_t at = (Py_ssize_t)anchors[a] - k;
            if (at < 0 || at + size > lc) continue;
            if (memchr(u + at, 1, (size_t)size)) continue;
            if (!memcmp(c + at, p, sizeof(int64_t) * (size_t)size)) return at;
        }
    }
    return -1;
}

/* The memo of claim(): a dict of bytes (what a vote or a search is a function of: a tag,
 * the passage's ids, then `extra`) to bytes (its result). A key: NULL (the error set). */
PyObject *pk_memo_key(char tag, const int64_t *p, Py_ssize_t size, const int64_t *extra,
                      Py_ssize_t nextra) {
    PyObject *key = PyBytes_FromStringAndSize(NULL, 1 + 8 * (size + nextra));
    if (!key) return NULL;
    char *k = PyBytes_AS_STRING(key);
    k[0] = tag;
    memcpy(k + 1, p, 8 * (size_t)size);
    if (nextra) memcpy(k + 1 + 8 * size, extra, 8 * (size_t)nextra);
    return key;
}

/* The memo's result for key copied to out (n bytes): 1, 0 when it has none, -1 (the error
 * set). */
static int memo_get(PyObject *memo, PyObject *key, void *out, Py_ssize_t n) {
    PyObject *v = PyDict_GetItemWithError(memo, key); /* borrowed */
    if (!v) return PyErr_Occurred() ? -1 : 0;
    if (!PyBytes_Check(v) || PyBytes_GET_SIZE(v) != n) return 0;
    memcpy(out, PyBytes_AS_STRING(v), (size_t)n);
    return 1;
}

/* The memo given result (n bytes) for key, when it holds fewer than `limit` items: 0, or
 * -1 (the error set). */
int pk_memo_put(PyObject *memo, PyObject *key, const void *result, Py_ssize_t n,
                Py_ssize_t limit) {
    if (PyDict_GET_SIZE(memo) >= limit) return 0;
    PyObject *v = PyBytes_FromStringAndSize(result, n);
    if (!v) return -1;
    const int got = PyDict_SetItem(memo, key, v);
    Py_DECREF(v);
    return got;
}

/* The free runs pk_search_windows and pk_may_count match, as the key of their result: for each
 * diagonal its number of runs, then their (start, end); appended to *key (*nkey items,
 * room *cap, grown). -1: out of memory. */
static int runs_key(const unsigned char *u, Py_ssize_t lc, Py_ssize_t size, const int64_t *diags,
                    Py_ssize_t nd, Py_ssize_t slack, int64_t **key, Py_ssize_t *nkey,
                    Py_ssize_t *cap) {
    for (Py_ssize_t d = 0; d < nd; d++) {
        Py_ssize_t lo, hi;
        pk_window((Py_ssize_t)diags[d], size, slack, lc, &lo, &hi);
        if (pk_grow_i64(key, cap, *nkey + 1 + (hi > lo ? hi - lo + 1 : 0)) < 0) return -1;
        const Py_ssize_t at = (*nkey)++;
        int64_t *k = *key;
        k[at] = 0;
        for (Py_ssize_t i = lo, j; pk_next_run(u, hi, &i, &j); i = j)
            k[(*nkey)++] = i, k[(*nkey)++] = j, k[at]++;
    }
    return 0;
}

/* The claims of align() on ids (claim(), below); -1: out of memory. claims: room for
 * 4 items per passage (passage, start, end, matched), *nclaims set. */
int pk_claim_all(const int64_t *c, Py_ssize_t lc, unsigned char *u, const Grams *g,
                 const int64_t *src, const int64_t *spans, Py_ssize_t np, Py_ssize_t stray,
                 Py_ssize_t max_tries, Py_ssize_t most, Py_ssize_t max_postings,
                 Py_ssize_t cells, double min_similarity, double abridged, PyObject *memo,
                 Py_ssize_t limit, Py_ssize_t *claims, Py_ssize_t *nclaims) {
    Py_ssize_t nc = 0, last_end = 0, longest = 0, nv = 0, cap = 0, kcap = 0;
    int64_t *kx = NULL; /* a search's key after the passage: min_similarity, its runs */
    PyObject *key = NULL;
    int status = -1;
    for (Py_ssize_t pi = 0; pi < np; pi++)
        if (spans[2 * pi + 1] - spans[2 * pi] > longest) longest = spans[2 * pi + 1] - spans[2 * pi];
    unsigned char *exact = PyMem_Calloc((size_t)np + 1, 1);
    Voted *voted = PyMem_Malloc(sizeof(Voted) * (size_t)(np + 1));
    int64_t *meds = PyMem_Malloc(sizeof(int64_t) * (size_t)(np * most + 1)), *d = NULL;
    Block *bl = PyMem_Malloc(sizeof(Block) * (size_t)((lc < longest ? lc : longest) + 1));
    /* each copy word's count in the passage searched, and what is left of it (shared) */
    int32_t *count = PyMem_Calloc((size_t)(2 * g->vocab), sizeof(int32_t)), *avail = count + g->vocab;
    if (!exact || !voted || !meds || !bl || !count) goto done;
    /* claims._claim_exact: the passages the copy holds word for word, in source order */
    for (Py_ssize_t pi = 0; pi < np; pi++) {
        const int64_t *p = src + spans[2 * pi];
        const Py_ssize_t size = spans[2 * pi + 1] - spans[2 * pi];
        if (size < 2) continue;
        const int n = size >= 3 ? 3 : 2;
        Py_ssize_t k = 0, lo, hi;
        pk_postings(g, p, n, &lo, &hi);
        if (hi - lo > max_tries) { /* a common first n-gram: the passage's rarest one */
            Py_ssize_t fewest = hi - lo;
            for (Py_ssize_t kk = 1; kk + n <= size; kk++) {
                Py_ssize_t l2, h2;
                pk_postings(g, p + kk, n, &l2, &h2);
                if (h2 - l2 < fewest) fewest = h2 - l2, k = kk, lo = l2, hi = h2;
            }
        }
        const int64_t *pos = n == 3 ? g->pos3 : g->pos2;
        const Py_ssize_t at = first_free(c, lc, u, p, size, pos + lo, hi - lo, k, last_end, max_tries);
        if (at < 0) continue;
        memset(u + at, 1, (size_t)size);
        exact[pi] = 1;
        claims[4 * nc] = pi, claims[4 * nc + 1] = at, claims[4 * nc + 2] = at + size;
        claims[4 * nc + 3] = size, nc++;
        last_end = at + size;
    }
    /* the others' votes (votes.vote: width max(4, size // 5)), most voted first */
    for (Py_ssize_t pi = 0; pi < np; pi++) {
        if (exact[pi]) continue;
        const Py_ssize_t size = spans[2 * pi + 1] - spans[2 * pi];
        Py_ssize_t n = 0, votes = 0;
        const Py_ssize_t width = size / 5 > 4 ? size / 5 : 4;
        int64_t *out = meds + nv * most;
        /* the memo's: (voted, votes, clusters) then the clusters' diagonals */
        int64_t known[3 + 64];
        const Py_ssize_t nknown = 8 * (3 + (most < 64 ? most : 64));
        int got = -1;
        Py_CLEAR(key);
        if (memo && most <= 64) {
            if (!(key = pk_memo_key('v', src + spans[2 * pi], size, NULL, 0))) goto done;
            const int hit = memo_get(memo, key, known, nknown);
            if (hit < 0) goto done;
            if (hit) {
                got = (int)known[0], votes = known[1], n = known[2];
                memcpy(out, known + 3, 8 * (size_t)n);
            }
        }
        if (got < 0) {
            got = pk_vote_ids(g, src + spans[2 * pi], size, width, most, max_postings, &d, &cap,
                              out, &n, &votes);
            if (got < 0) goto done;
            if (key) {
                known[0] = got, known[1] = votes, known[2] = n;
                memcpy(known + 3, out, 8 * (size_t)n);
                if (pk_memo_put(memo, key, known, nknown, limit) < 0) goto done;
            }
        }
        if (got) voted[nv] = (Voted){votes, pi, nv * most, n}, nv++;
    }
    qsort(voted, (size_t)nv, sizeof(Voted), cmp_voted);
    /* each searched around its diagonals (slack max(8, size // 3)), claimed when it
     * counts (claims._counts) */
    for (Py_ssize_t v = 0; v < nv; v++) {
        const Py_ssize_t pi = voted[v].passage, s = spans[2 * pi], size = spans[2 * pi + 1] - s;
        const Py_ssize_t slack = size / 3 > 8 ? size / 3 : 8;
        double sim = 0.0;
        Py_ssize_t out[3];
        const int64_t *p = src + s;
        /* the memo's: (found, similarity's bits, start, end, matched) */
        int64_t known[5];
        int got = -1;
        Py_CLEAR(key);
        if (memo) {
            Py_ssize_t nk = 2;
            if (pk_grow_i64(&kx, &kcap, 2) < 0) goto done;
            memcpy(kx, &min_similarity, 8);
            kx[1] = stray;
            if (runs_key(u, lc, size, meds + voted[v].at, voted[v].n, slack, &kx, &nk, &kcap) < 0 ||
                !(key = pk_memo_key('s', p, size, kx, nk)))
                goto done;
            const int hit = memo_get(memo, key, known, sizeof known);
            if (hit < 0) goto done;
            if (hit) {
                got = (int)known[0];
                memcpy(&sim, known + 1, 8);
                out[0] = known[2], out[1] = known[3], out[2] = known[4];
            }
        }
        if (got < 0) {
            for (Py_ssize_t k = 0; k < size; k++)
                if (p[k] >= 0) count[p[k]]++, avail[p[k]]++;
            got = 0;
            if (pk_may_count(c, lc, u, size, meds + voted[v].at, voted[v].n, slack, avail,
                             count, min_similarity))
                got = pk_search_windows(c, lc, u, p, size, meds + voted[v].at, voted[v].n,
                                        slack, stray, cells, bl, &sim, out, avail, count);
            for (Py_ssize_t k = 0; k < size; k++)
                if (p[k] >= 0) count[p[k]] = avail[p[k]] = 0;
            if (got < 0) goto done;
            if (key && got != 2) {
                known[0] = got, known[2] = out[0], known[3] = out[1], known[4] = out[2];
                memcpy(known + 1, &sim, 8);
                if (pk_memo_put(memo, key, known, sizeof known, limit) < 0) goto done;
            }
        }
        if (got == 2) { /* checked by claim() before: never */
            status = -2;
            goto done;
        }
        if (!got) continue;
        const Py_ssize_t matched = out[2], span = out[1] - out[0];
        if (!(sim >= min_similarity || ((double)matched >= abridged * (double)span &&
                                         3 * matched >= size && matched >= 8)))
            continue;
        memset(u + out[0], 1, (size_t)span);
        claims[4 * nc] = pi, claims[4 * nc + 1] = out[0], claims[4 * nc + 2] = out[1];
        claims[4 * nc + 3] = matched, nc++;
    }
    *nclaims = nc;
    status = 0;
done:
    PyMem_Free(exact);
    PyMem_Free(voted);
    PyMem_Free(meds);
    PyMem_Free(d);
    PyMem_Free(bl);
    PyMem_Free(count);
    PyMem_Free(kx);
    Py_XDECREF(key);
    return status;
}
