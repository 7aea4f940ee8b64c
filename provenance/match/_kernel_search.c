/*
 * prov's compiled kernel, where a passage lies in a copy (on word ids: a copy's distinct
 * words numbered, alignwork.CopyIds): the same answers as votes.py's and claims.py's Python.
 *
 *   vote      votes.vote: the diagonals of a passage's n-grams found in the copy,
 *             clustered (pk_vote_ids)
 *   match     claims._match: a passage in a window of the copy, stray ends dropped
 *   search    align's search of a passage's windows around its diagonals
 *             (pk_search_windows; pk_may_count: whether any of them may count)
 */
#include "_kernel.h"

static int cmp_i64(const void *x, const void *y) {
    const int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* votes.vote of a passage's ids (size of them): 1 and the votes of the densest
 * cluster (*votes) and the median diagonal of each cluster (meds[0..*nout), most at
 * most); 0: no vote; -1: out of memory. *d, *cap: a scratch array, grown here. */
int pk_vote_ids(const Grams *g, const int64_t *ids, Py_ssize_t size, Py_ssize_t width,
                Py_ssize_t most, Py_ssize_t max_postings, int64_t **d, Py_ssize_t *cap,
                int64_t *meds, Py_ssize_t *nout, Py_ssize_t *votes) {
    Py_ssize_t nd = 0, first_votes = 0;
    int n = 3;
    *nout = 0;
    for (; n >= 2; n--) {
        const int64_t *pos = n == 3 ? g->pos3 : g->pos2;
        nd = 0;
        for (Py_ssize_t k = 0; k + n <= size; k++) {
            Py_ssize_t lo, hi;
            pk_postings(g, ids + k, n, &lo, &hi);
            if (hi == lo || hi - lo > max_postings) continue;
            if (pk_grow_i64(d, cap, nd + (hi - lo)) < 0) return -1;
            for (Py_ssize_t j = lo; j < hi; j++) (*d)[nd++] = pos[j] - k;
        }
        if (nd) break;
    }
    if (!nd) return 0;
    int64_t *dd = *d;
    if (nd > 32) {
        qsort(dd, (size_t)nd, sizeof(int64_t), cmp_i64);
    } else { /* (a passage's few diagonals, mostly in order: by insertion) */
        for (Py_ssize_t i = 1; i < nd; i++) {
            const int64_t x = dd[i];
            Py_ssize_t j = i;
            for (; j > 0 && dd[j - 1] > x; j--) dd[j] = dd[j - 1];
            dd[j] = x;
        }
    }
    while (nd && *nout < most) {
        Py_ssize_t best = 0, blo = 0, bhi = 0, start = 0;
        for (Py_ssize_t i = 0; i < nd; i++) {
            while (dd[start] < dd[i] - width) start++;
            if (i + 1 - start > best) best = i + 1 - start, blo = start, bhi = i + 1;
        }
        if (*nout == 0) first_votes = best;
        meds[(*nout)++] = dd[(blo + bhi - 1) / 2];
        memmove(dd + blo, dd + bhi, sizeof(int64_t) * (size_t)(nd - bhi));
        nd -= bhi - blo;
    }
    *votes = first_votes;
    return n == 3 || first_votes >= 2;
}

/* votes.vote: the diagonals (copy position - passage offset) of the passage's n-grams
 * found in the copy at most max_postings times, trigrams first, bigrams when no trigram
 * is found; clustered as votes._best_diagonals_small does (the first densest window of
 * diagonals within `width`, taken out, up to `most` times). Returns None or
 * (votes of the densest, [median diagonal of each cluster]). */
PyObject *pk_vote(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_ids, *o_k3, *o_p3, *o_k2, *o_p2;
    long long vocab;
    Py_ssize_t width, most, max_postings;
    if (!PyArg_ParseTuple(args, "OOOOOLnnn:vote", &o_ids, &o_k3, &o_p3, &o_k2, &o_p2, &vocab,
                          &width, &most, &max_postings))
        return NULL;
    if (vocab < 1 || vocab > (1LL << 21) || width < 0 || most < 1) {
        PyErr_SetString(PyExc_ValueError, "vote: vocab must be in 1..2**21, width >= 0, most >= 1");
        return NULL;
    }
    Py_buffer bufs[5];
    PyObject *const objs[5] = {o_ids, o_k3, o_p3, o_k2, o_p2};
    const Py_ssize_t sizes[5] = {8, 8, 8, 8, 8};
    const char *const names[5] = {"ids", "keys3", "pos3", "keys2", "pos2"};
    if (pk_get_arrays(objs, bufs, sizes, names, 5, 5) < 0) return NULL;
    const char *error = NULL;
    PyObject *result = NULL;
    int64_t *d = NULL, *meds = NULL;
    Py_ssize_t cap = 0, nout = 0, votes = 0;
    const int64_t *ids = bufs[0].buf;
    const Py_ssize_t size = bufs[0].len / 8;
    const Grams g = {bufs[1].buf, bufs[2].buf, bufs[3].buf, bufs[4].buf,
                     bufs[1].len / 8, bufs[3].len / 8, vocab, NULL, NULL};
    int got = 0;
    if (bufs[1].len != bufs[2].len || bufs[3].len != bufs[4].len)
        error = "keys and positions must have the same length";
    for (Py_ssize_t i = 0; !error && i < size; i++)
        if (ids[i] >= vocab) error = "ids must be below vocab";
    if (!error && !(meds = PyMem_Malloc(sizeof(int64_t) * (size_t)most))) error = "out of memory";
    if (!error && (got = pk_vote_ids(&g, ids, size, width, most, max_postings, &d, &cap, meds,
                                     &nout, &votes)) < 0)
        error = "out of memory";
    pk_release_arrays(bufs, 5);
    if (!error && got) {
        PyObject *list = PyList_New(nout);
        for (Py_ssize_t i = 0; list && i < nout; i++) {
            PyObject *x = PyLong_FromLongLong(meds[i]);
            if (!x) Py_CLEAR(list);
            else PyList_SET_ITEM(list, i, x);
        }
        if (list) {
            result = Py_BuildValue("nN", votes, list);
        }
    } else if (!error) {
        result = Py_NewRef(Py_None);
    }
    PyMem_Free(d);
    PyMem_Free(meds);
    if (error) PyErr_Format(PyExc_ValueError, "vote: %s", error);
    return result;
}

/* claims._core: the blocks [*lo, *hi) left when stray matches at either end are dropped
 * (a run smaller than half the gap that separates it from the rest; the gap is the
 * larger of the copy's and the passage's for a run of fewer than `stray` words, else the
 * smaller). */
static void core(const Block *bl, Py_ssize_t n, Py_ssize_t stray, Py_ssize_t *lo,
                 Py_ssize_t *hi) {
    Py_ssize_t l = 0, h = n;
    while (h - l > 1) {
        const Block x = bl[l], y = bl[l + 1];
        const Py_ssize_t cg = y.i - (x.i + x.k), pg = y.j - (x.j + x.k);
        const Py_ssize_t gap = x.k < stray ? (cg > pg ? cg : pg) : (cg < pg ? cg : pg);
        if (x.k * 2 >= gap) break;
        l++;
    }
    while (h - l > 1) {
        const Block p = bl[h - 2], x = bl[h - 1];
        const Py_ssize_t cg = x.i - (p.i + p.k), pg = x.j - (p.j + p.k);
        const Py_ssize_t gap = x.k < stray ? (cg > pg ? cg : pg) : (cg < pg ? cg : pg);
        if (x.k * 2 >= gap) break;
        h--;
    }
    *lo = l, *hi = h;
}

/* claims._match of passage p (size ids) within the copy's ids c[lo, hi): its matching
 * blocks with the window, stray ends dropped (core), searched again in the window
 * tightened around that core (when a block lies outside it: else the same blocks).
 * 1: found, out = (start, end, matched) of the core in the copy; 0: nothing matches;
 * -1: out of memory (the error set). bl: room for min(hi - lo, size) + 1 blocks. */
static int window_match(const int64_t *c, Py_ssize_t lo, Py_ssize_t hi, const int64_t *p,
                        Py_ssize_t size, Py_ssize_t stray, Block *bl, Py_ssize_t *out) {
    Py_ssize_t clo = 0, chi = 0, matched = 0;
    for (int round = 0; round < 2; round++) {
        const Py_ssize_t n = pk_matching(c + lo, hi - lo, p, size, bl);
        if (n < 0) return -1;
        Py_ssize_t l, h;
        core(bl, n, stray, &l, &h);
        if (h <= l) return 0;
        clo = lo + bl[l].i, chi = lo + bl[h - 1].i + bl[h - 1].k;
        const Py_ssize_t head = bl[l].j, tail = size - (bl[h - 1].j + bl[h - 1].k);
        matched = 0;
        for (Py_ssize_t m = l; m < h; m++) matched += bl[m].k;
        const Py_ssize_t tlo = clo - 2 * head - 1 > lo ? clo - 2 * head - 1 : lo;
        const Py_ssize_t thi = chi + 2 * tail + 1 < hi ? chi + 2 * tail + 1 : hi;
        /* the tightened window holding every block found: difflib finds the same ones
         * there (each the longest of its part of the window, and still in the smaller
         * part, ties broken alike), so the same core: not matched again */
        if ((tlo == lo && thi == hi) ||
            (lo + bl[0].i >= tlo && lo + bl[n - 1].i + bl[n - 1].k <= thi))
            break;
        lo = tlo, hi = thi;
    }
    out[0] = clo, out[1] = chi, out[2] = matched;
    return 1;
}

/* match(copy, lo, hi, passage, stray) -> (start, end, matched) | None: claims._match of a
 * passage (ids) within the copy's ids [lo, hi) (window_match). */
PyObject *pk_match(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_c, *o_p;
    Py_ssize_t lo, hi, stray;
    if (!PyArg_ParseTuple(args, "OnnOn:match", &o_c, &lo, &hi, &o_p, &stray)) return NULL;
    Py_buffer bufs[2];
    if (pk_get_pair(o_c, o_p, bufs) < 0) return NULL;
    const int64_t *c = bufs[0].buf, *p = bufs[1].buf;
    const Py_ssize_t lc = bufs[0].len / 8, size = bufs[1].len / 8;
    PyObject *result = NULL;
    Block *bl = NULL;
    Py_ssize_t out[3];
    if (lo < 0 || hi > lc || lo > hi) {
        PyErr_SetString(PyExc_ValueError, "match: window outside the copy");
        goto done;
    }
    if (!(bl = PyMem_Malloc(sizeof(Block) * (size_t)((hi - lo < size ? hi - lo : size) + 1)))) {
        PyErr_NoMemory();
        goto done;
    }
    const int got = window_match(c, lo, hi, p, size, stray, bl, out);
    if (got > 0) result = Py_BuildValue("(nnn)", out[0], out[1], out[2]);
    else if (got == 0) result = Py_NewRef(Py_None);
done:
    PyMem_Free(bl);
    pk_release_arrays(bufs, 2);
    return result;
}

/* The words of the copy's ids c[i, j) a passage holds, counted as often as it holds them
 * (count: its count of each id; avail: the same, restored here): a bound on the words of
 * the passage any alignment with c[i, j) matches. */
static Py_ssize_t shared(const int64_t *c, Py_ssize_t i, Py_ssize_t j, int32_t *avail,
                         const int32_t *count) {
    Py_ssize_t most = 0;
    for (Py_ssize_t k = i; k < j; k++) {
        const int32_t left = avail[c[k]];
        most += left > 0;
        avail[c[k]] = left - (left > 0);
    }
    for (Py_ssize_t k = i; k < j; k++) avail[c[k]] = count[c[k]];
    return most;
}

/* align's search for a passage p (size ids) around its diagonals diags[0..nd) in the
 * copy c (lc ids): at each diagonal d the free runs (u: a byte per copy word, 0 free) of
 * the copy's words [d - slack, d + size + slack) are matched (window_match), the most
 * similar core kept (2 * matched / (size + its span); the first of equal ones), and the
 * search stops after a diagonal once one is 0.999 similar or more. Returns 1 and the best
 * (*sim, out = start, end, matched), 0: nothing matches, 2: a run of more than `cells`
 * words times the passage's (not searched), -1: out of memory. bl: room for
 * min(lc, size) + 1 blocks. */
int pk_search_windows(const int64_t *c, Py_ssize_t lc, const unsigned char *u, const int64_t *p,
                      Py_ssize_t size, const int64_t *diags, Py_ssize_t nd, Py_ssize_t slack,
                      Py_ssize_t stray, Py_ssize_t cells, Block *bl, double *sim,
                      Py_ssize_t *bout, int32_t *avail, const int32_t *count) {
    int found = 0;
    double best = 0.0;
    Py_ssize_t out[3];
    for (Py_ssize_t d = 0; d < nd; d++) {
        Py_ssize_t lo, hi;
        pk_window((Py_ssize_t)diags[d], size, slack, lc, &lo, &hi);
        for (Py_ssize_t i = lo, j; pk_next_run(u, hi, &i, &j); i = j) { /* its free runs */
            if ((j - i) * size > cells) return 2;
            if (found && avail) { /* a run whose words cannot beat the best: not matched */
                const Py_ssize_t most = shared(c, i, j, avail, count);
                if (2.0 * (double)most / (double)(size + most) <= best) continue;
            }
            const int got = window_match(c, i, j, p, size, stray, bl, out);
            if (got < 0) return -1;
            if (got > 0) {
                const double s = 2.0 * (double)out[2] / (double)(size + out[1] - out[0]);
                if (!found || s > best) {
                    found = 1, best = s;
                    bout[0] = out[0], bout[1] = out[1], bout[2] = out[2];
                }
            }
        }
        if (found && best >= 0.999) break;
    }
    *sim = best;
    return found;
}

/* search(copy, used, passage, diagonals, slack, stray, cells) -> (similarity, start, end,
 * matched) | None | False: pk_search_windows of a passage (ids) around its diagonals (a
 * list). False: a run of more than `cells` words times the passage's (the kernel does
 * not search it: the caller does, as before). */
PyObject *pk_search(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_c, *o_u, *o_p, *diagonals;
    Py_ssize_t slack, stray, cells;
    if (!PyArg_ParseTuple(args, "OOOO!nnn:search", &o_c, &o_u, &o_p, &PyList_Type, &diagonals,
                          &slack, &stray, &cells))
        return NULL;
    Py_buffer bufs[2], used;
    if (pk_get_pair(o_c, o_p, bufs) < 0) return NULL;
    if (PyObject_GetBuffer(o_u, &used, PyBUF_C_CONTIGUOUS) < 0) {
        pk_release_arrays(bufs, 2);
        return NULL;
    }
    const int64_t *c = bufs[0].buf, *p = bufs[1].buf;
    const Py_ssize_t lc = bufs[0].len / 8, size = bufs[1].len / 8;
    const Py_ssize_t nd = PyList_GET_SIZE(diagonals);
    PyObject *result = NULL;
    Block *bl = NULL;
    int64_t *diags = NULL;
    double best = 0.0;
    Py_ssize_t bout[3] = {0, 0, 0};
    if (used.len != lc) {
        PyErr_SetString(PyExc_ValueError, "search: used must hold a byte per copy word");
        goto done;
    }
    const Py_ssize_t room = (lc < size ? lc : size) + 1;
    if (!(bl = PyMem_Malloc(sizeof(Block) * (size_t)room)) ||
        !(diags = PyMem_Malloc(sizeof(int64_t) * (size_t)(nd + 1)))) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t d = 0; d < nd; d++) {
        diags[d] = PyLong_AsSsize_t(PyList_GET_ITEM(diagonals, d));
        if (diags[d] == -1 && PyErr_Occurred()) goto done;
    }
    const int got = pk_search_windows(c, lc, used.buf, p, size, diags, nd, slack, stray, cells,
                                      bl, &best, bout, NULL, NULL);
    if (got < 0) PyErr_NoMemory();
    else if (got == 2) result = Py_NewRef(Py_False);
    else if (got) result = Py_BuildValue("(dnnn)", best, bout[0], bout[1], bout[2]);
    else result = Py_NewRef(Py_None);
done:
    PyMem_Free(bl);
    PyMem_Free(diags);
    PyBuffer_Release(&used);
    pk_release_arrays(bufs, 2);
    return result;
}

/* Whether a passage (size words; count and avail: shared's) may be found around its
 * diagonals diags[0..nd) (slack words either side): whether one of the free runs
 * pk_search_windows matches shares enough of its words for a core that counts
 * (claims._counts: similar enough, or abridged, which takes 8 words and a third of the
 * passage). 0: no core counts, whichever is the best. */
int pk_may_count(const int64_t *c, Py_ssize_t lc, const unsigned char *u, Py_ssize_t size,
                 const int64_t *diags, Py_ssize_t nd, Py_ssize_t slack, int32_t *avail,
                 const int32_t *count, double min_similarity) {
    for (Py_ssize_t d = 0; d < nd; d++) {
        Py_ssize_t lo, hi;
        pk_window((Py_ssize_t)diags[d], size, slack, lc, &lo, &hi);
        for (Py_ssize_t i = lo, j; pk_next_run(u, hi, &i, &j); i = j) {
            const Py_ssize_t most = shared(c, i, j, avail, count);
            if (2.0 * (double)most / (double)(size + most) >= min_similarity ||
                (most >= 8 && 3 * most >= size))
                return 1;
        }
    }
    return 0;
}
