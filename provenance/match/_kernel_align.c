/*
 * prov's compiled kernel, aligning a candidate (align.align on word ids, in one call):
 *
 *   align     the claims (_kernel_claim.c), each span grown at its edges, each pair
 *             diffed, its align.PassageMatch and align.Edit objects made as their
 *             __init__ makes them (finish)
 *   diff      alignwork.pair: a passage and a copy span's difflib opcodes
 *   ids       CopyIds.of: words as a copy's ids (a dict's, or number()'s table:
 *             _kernel_vocab.c)
 */
#include "_kernel.h"

static PyObject *TAGS[4]; /* difflib's opcode tags: replace, delete, insert, equal */

/* TAGS made (the module's init): 0, or -1 (the error set). */
int pk_init_align(void) {
    const char *const tags[4] = {"replace", "delete", "insert", "equal"};
    for (int t = 0; t < 4; t++)
        if (!TAGS[t] && !(TAGS[t] = PyUnicode_InternFromString(tags[t]))) return -1;
    return 0;
}

/* The matching blocks of passage p (size ids) and the copy's span c[lo, hi) (matching;
 * the memo's when it holds them: kept there by the passage's ids and the span) in *bl
 * (room grown: *room blocks), their number in *n. 0, or -1 (the error set). */
static int span_blocks(const int64_t *c, Py_ssize_t lo, Py_ssize_t hi, const int64_t *p,
                       Py_ssize_t size, PyObject *memo, Py_ssize_t limit, Block **bl,
                       Py_ssize_t *room, Py_ssize_t *n) {
    const Py_ssize_t need = (size < hi - lo ? size : hi - lo) + 1;
    if (need > *room) {
        Block *grown = PyMem_Realloc(*bl, sizeof(Block) * (size_t)need);
        if (!grown) {
            PyErr_NoMemory();
            return -1;
        }
        *bl = grown, *room = need;
    }
    const int64_t span[2] = {lo, hi};
    PyObject *key = pk_memo_key('d', p, size, span, 2);
    if (!key) return -1;
    PyObject *v = PyDict_GetItemWithError(memo, key); /* borrowed */
    if (v && PyBytes_Check(v) && PyBytes_GET_SIZE(v) % (Py_ssize_t)sizeof(Block) == 0 &&
        PyBytes_GET_SIZE(v) / (Py_ssize_t)sizeof(Block) < need) {
        *n = PyBytes_GET_SIZE(v) / (Py_ssize_t)sizeof(Block);
        memcpy(*bl, PyBytes_AS_STRING(v), (size_t)PyBytes_GET_SIZE(v));
        Py_DECREF(key);
        return 0;
    }
    if (!v && PyErr_Occurred()) {
        Py_DECREF(key);
        return -1;
    }
    *n = pk_matching(p, size, c + lo, hi - lo, *bl);
    const int got =
        *n < 0 ? -1 : pk_memo_put(memo, key, *bl, *n * (Py_ssize_t)sizeof(Block), limit);
    Py_DECREF(key);
    return got;
}

/* How finish() makes a frozen dataclass with slots (align.Edit, align.PassageMatch): its
 * class and the member descriptors of its fields, in order. */
typedef struct {
    PyTypeObject *cls;
    PyObject *fields[8];
    int n;
} Made;

/* A new instance of t made as its generated __init__ makes it: a new object
 * (object.__new__) and each field set to values[f] by its slot's descriptor (what the
 * object.__setattr__ of a frozen dataclass's __init__ does). The values' references
 * are taken (NULL ones: the error set). NULL: the error set. */
static PyObject *make(const Made *t, PyObject **values) {
    PyObject *obj = NULL;
    int ok = 1;
    for (int f = 0; f < t->n; f++) ok = ok && values[f];
    if (ok && !(obj = t->cls->tp_alloc(t->cls, 0))) ok = 0;
    for (int f = 0; ok && f < t->n; f++)
        ok = Py_TYPE(t->fields[f])->tp_descr_set(t->fields[f], obj, values[f]) == 0;
    for (int f = 0; f < t->n; f++) Py_XDECREF(values[f]);
    if (!ok) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        Py_XDECREF(obj);
        return NULL;
    }
    return obj;
}

/* The tuple (a, b) (Py_BuildValue's "(nn)", without parsing its format); NULL: the error
 * set. */
static PyObject *pair(Py_ssize_t a, Py_ssize_t b) {
    PyObject *t = PyTuple_New(2), *x = PyLong_FromSsize_t(a), *y = PyLong_FromSsize_t(b);
    if (!t || !x || !y) {
        Py_XDECREF(t), Py_XDECREF(x), Py_XDECREF(y);
        return NULL;
    }
    PyTuple_SET_ITEM(t, 0, x), PyTuple_SET_ITEM(t, 1, y);
    return t;
}

static int cmp_claim(const void *x, const void *y) { /* claims in passage order */
    const Py_ssize_t a = *(const Py_ssize_t *)x, b = *(const Py_ssize_t *)y;
    return (a > b) - (a < b);
}

/* align()'s last steps on the claims (4 items each: passage, start, end, matched; in
 * the order they were made): claims._extend_edges (each span grown over the free copy
 * words at its ends, within the copy's sentence: bounds, sorted, hold 0 and lc), then in
 * passage order each pair's blocks (the growth undone when it makes the pair no longer
 * count, as align does). Returns [align.PassageMatch (match), ...]: its edits, a tuple of
 * align.Edit (edit), one for each of difflib's opcodes but "equal" of the passage (its
 * first word in the source: origins[passage]) and the span, its kind from kinds (for
 * replace, delete, insert); NULL (the error set). */
static PyObject *finish(const int64_t *c, Py_ssize_t lc, unsigned char *u, const int64_t *src,
                        const int64_t *spans, const int64_t *origins, Py_ssize_t *claims,
                        Py_ssize_t nc, const int64_t *bounds, Py_ssize_t nb, Py_ssize_t lead,
                        double min_similarity, double abridged, PyObject *memo, Py_ssize_t limit,
                        const Made *edit, PyObject *kinds, const Made *match) {
    Block *bl = NULL;
    Py_ssize_t room = 0, n = 0;
    PyObject *out = PyList_New(nc);
    Py_ssize_t *first = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(2 * nc + 1));
    if (!out || !first) goto fail;
    for (Py_ssize_t m = 0; m < nc; m++) { /* _extend_edges */
        Py_ssize_t *x = claims + 4 * m;
        const int64_t *p = src + spans[2 * x[0]];
        const Py_ssize_t size = spans[2 * x[0] + 1] - spans[2 * x[0]];
        first[2 * m] = x[1], first[2 * m + 1] = x[2];
        if (span_blocks(c, x[1], x[2], p, size, memo, limit, &bl, &room, &n) < 0) goto fail;
        if (!n) continue;
        const Py_ssize_t head = bl[0].i, tail = size - (bl[n - 1].i + bl[n - 1].k);
        Py_ssize_t at = pk_bound(bounds, nb, x[1], 1) - 1;
        const Py_ssize_t floor = at >= 0 && bounds[at] > 0 ? (Py_ssize_t)bounds[at] : 0;
        Py_ssize_t run = 0, most = head + lead + 1;
        while (run < most && x[1] - run - 1 >= floor && !u[x[1] - run - 1]) run++;
        Py_ssize_t take = run <= head + lead ? run : (head < run ? head : run);
        memset(u + x[1] - take, 1, (size_t)take);
        x[1] -= take;
        at = pk_bound(bounds, nb, x[2], 0);
        const Py_ssize_t ceiling = at < nb && bounds[at] < lc ? (Py_ssize_t)bounds[at] : lc;
        run = 0, most = tail + lead + 1;
        while (run < most && x[2] + run < ceiling && !u[x[2] + run]) run++;
        take = run <= tail + lead ? run : (tail < run ? tail : run);
        memset(u + x[2], 1, (size_t)take);
        x[2] += take;
    }
    for (Py_ssize_t m = 0; m < nc; m++) claims[4 * m + 3] = m; /* (where its first span is) */
    qsort(claims, (size_t)nc, 4 * sizeof(Py_ssize_t), cmp_claim);
    for (Py_ssize_t m = 0; m < nc; m++) {
        Py_ssize_t *x = claims + 4 * m;
        const int64_t *p = src + spans[2 * x[0]];
        const Py_ssize_t size = spans[2 * x[0] + 1] - spans[2 * x[0]];
        const Py_ssize_t lo0 = first[2 * x[3]], hi0 = first[2 * x[3] + 1];
        Py_ssize_t matched = 0;
        for (int round = 0; round < 2; round++) {
            if (span_blocks(c, x[1], x[2], p, size, memo, limit, &bl, &room, &n) < 0) goto fail;
            matched = 0;
            for (Py_ssize_t b = 0; b < n; b++) matched += bl[b].k;
            const Py_ssize_t span = x[2] - x[1];
            const double sim = 2.0 * (double)matched / (double)(size + span);
            const int counts = sim >= min_similarity ||
                               ((double)matched >= abridged * (double)span && 3 * matched >= size &&
                                matched >= 8);
            if (counts || (x[1] == lo0 && x[2] == hi0)) break;
            x[1] = lo0, x[2] = hi0; /* the words taken in made it unlike: left out */
        }
        Py_ssize_t nops = 0, i = 0, j = 0;
        for (Py_ssize_t b = 0; b <= n; b++) { /* the opcodes but "equal" */
            const Block y = b < n ? bl[b] : (Block){size, x[2] - x[1], 0};
            nops += i < y.i || j < y.j;
            i = y.i + y.k, j = y.j + y.k;
        }
        PyObject *edits = PyTuple_New(nops);
        if (!edits) goto fail;
        const Py_ssize_t at = origins[x[0]];
        i = j = nops = 0;
        for (Py_ssize_t b = 0; b <= n; b++) {
            const Block y = b < n ? bl[b] : (Block){size, x[2] - x[1], 0};
            const int tag = i < y.i && j < y.j ? 0 : i < y.i ? 1 : j < y.j ? 2 : -1;
            if (tag >= 0) {
                PyObject *values[3] = {Py_NewRef(PyTuple_GET_ITEM(kinds, tag)),
                                       pair(at + i, at + y.i), pair(x[1] + j, x[1] + y.j)};
                PyObject *e = make(edit, values);
                if (!e) {
                    Py_DECREF(edits);
                    goto fail;
                }
                PyTuple_SET_ITEM(edits, nops++, e);
            }
            i = y.i + y.k, j = y.j + y.k;
        }
        const double sim = 2.0 * (double)matched / (double)(size + x[2] - x[1]);
        PyObject *values[6] = {PyLong_FromSsize_t(x[0]), pair(at, at + size), pair(x[1], x[2]),
                               PyLong_FromSsize_t(matched),
                               PyFloat_FromDouble(sim), edits};
        PyObject *t = make(match, values);
        if (!t) goto fail;
        PyList_SET_ITEM(out, m, t);
    }
    PyMem_Free(bl);
    PyMem_Free(first);
    return out;
fail:
    if (!PyErr_Occurred()) PyErr_NoMemory();
    Py_XDECREF(out);
    PyMem_Free(bl);
    PyMem_Free(first);
    return NULL;
}

/* align(copy, keys3, pos3, keys2, pos2, vocab, used, source, spans, origins, bounds,
 * stray, max_tries, most, max_postings, cells, lead, min_similarity, abridged, memo,
 * limit, (Edit, fields, kinds, PassageMatch, fields)) -> [PassageMatch, ...] | None:
 * align.align on ids, its matches in passage order (finish()'s: align.Edit and
 * align.PassageMatch made as their __init__ makes them; fields: the descriptors of their
 * fields, in order; kinds: the kind of difflib's replace, delete and insert; origins:
 * each passage's first word in the source).
 * The claims, in the order align makes them: the passages the copy holds word for word
 * (claims._claim_exact, max_tries occurrences on either side), then the others that
 * count, most voted first (votes.vote: `most` clusters, n-grams in at most
 * max_postings places; searched as search() does; counted as claims._counts does); then
 * finish() (claims._extend_edges: `lead` words, bounds: where the copy's sentences start,
 * sorted, with 0 and its length). spans: (start, end) pairs into source (ids). used (a
 * byte per copy word) is updated. None when a passage's window may be more than `cells`
 * words times its own: the caller aligns as before. memo (a dict, the copy's: up to
 * `limit` items) keeps each vote, search and pair's blocks by what it is a function of
 * (the passage's ids, and for a search the free runs searched, for a pair the span): a
 * near-copy's passage is voted for and searched once a copy. A search whose runs share
 * too few of the passage's words for a core that counts (pk_may_count), and a run that
 * cannot beat the best (shared), are not matched: the same claims. */
PyObject *pk_align(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_c, *o_k3, *o_p3, *o_k2, *o_p2, *o_u, *o_src, *o_spans, *o_origins, *o_bounds;
    long long vocab;
    PyObject *memo, *o_edit, *fields, *kinds, *o_match, *match_fields;
    Py_ssize_t stray, max_tries, most, max_postings, cells, lead, limit;
    double min_similarity, abridged;
    if (!PyArg_ParseTuple(args, "OOOOOLOOOOOnnnnnnddO!n(O!O!O!O!O!):align", &o_c, &o_k3, &o_p3,
                          &o_k2, &o_p2, &vocab, &o_u, &o_src, &o_spans, &o_origins, &o_bounds,
                          &stray, &max_tries, &most, &max_postings, &cells, &lead,
                          &min_similarity, &abridged, &PyDict_Type, &memo, &limit, &PyType_Type,
                          &o_edit, &PyTuple_Type, &fields, &PyTuple_Type, &kinds, &PyType_Type,
                          &o_match, &PyTuple_Type, &match_fields))
        return NULL;
    if (vocab < 1 || vocab > (1LL << 21) || most < 1 || max_tries < 0 || lead < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "align: vocab must be in 1..2**21, most >= 1, max_tries and lead >= 0");
        return NULL;
    }
    Made edit = {(PyTypeObject *)o_edit, {NULL}, 3}, match = {(PyTypeObject *)o_match, {NULL}, 6};
    int fields_ok = PyTuple_GET_SIZE(fields) == 3 && PyTuple_GET_SIZE(kinds) == 3 &&
                    PyTuple_GET_SIZE(match_fields) == 6;
    for (int f = 0; fields_ok && f < 6; f++) {
        PyObject *d = f < 3 ? PyTuple_GET_ITEM(fields, f) : NULL;
        if (d) edit.fields[f] = d;
        fields_ok = !d || Py_TYPE(d)->tp_descr_set != NULL;
        match.fields[f] = d = PyTuple_GET_ITEM(match_fields, f);
        fields_ok = fields_ok && Py_TYPE(d)->tp_descr_set != NULL;
    }
    if (!fields_ok) {
        PyErr_SetString(PyExc_ValueError,
                        "align: made must be (Edit, its 3 fields' descriptors, 3 kinds, "
                        "PassageMatch, its 6 fields' descriptors)");
        return NULL;
    }
    Py_buffer bufs[10];
    PyObject *const objs[10] = {o_c,   o_k3,      o_p3,     o_k2, o_p2, o_src,
                                o_spans, o_origins, o_bounds, o_u};
    const Py_ssize_t sizes[10] = {8, 8, 8, 8, 8, 8, 8, 8, 8, 1};
    const char *const names[10] = {"copy",  "keys3",   "pos3",   "keys2", "pos2", "source",
                                   "spans", "origins", "bounds", "used"};
    if (pk_get_arrays(objs, bufs, sizes, names, 10, 9) < 0) return NULL;
    const int64_t *c = bufs[0].buf, *src = bufs[5].buf, *spans = bufs[6].buf;
    const int64_t *origins = bufs[7].buf, *bounds = bufs[8].buf;
    const Py_ssize_t lc = bufs[0].len / 8, ls = bufs[5].len / 8, np = bufs[6].len / 16;
    const Py_ssize_t nb = bufs[8].len / 8;
    Grams g = {bufs[1].buf, bufs[2].buf, bufs[3].buf, bufs[4].buf,
               bufs[1].len / 8, bufs[3].len / 8, vocab, NULL, NULL};
    Py_ssize_t *first = NULL; /* (g's first words: for a vocabulary the copy's size) */
    const char *error = NULL;
    PyObject *result = NULL;
    Py_ssize_t *claims = NULL, nclaims = 0;
    int fits = 1;
    if (bufs[9].len != lc) error = "used must hold a byte per copy word";
    else if (bufs[1].len != bufs[2].len || bufs[3].len != bufs[4].len ||
             bufs[1].len / 8 != (lc > 2 ? lc - 2 : 0) || bufs[3].len / 8 != (lc > 1 ? lc - 1 : 0))
        error = "keys and positions must be the copy's trigrams' and bigrams'";
    else if (bufs[6].len % 16) error = "spans must be (start, end) pairs";
    else if (bufs[7].len / 8 != np) error = "origins must hold a word per passage";
    else if (!nb || bounds[0] != 0 || bounds[nb - 1] != lc) error = "bounds must run from 0 to the copy's length";
    for (Py_ssize_t i = 1; !error && i < nb; i++)
        if (bounds[i] <= bounds[i - 1]) error = "bounds must be sorted";
    for (Py_ssize_t i = 0; !error && i < lc; i++)
        if (c[i] < 0 || c[i] >= vocab) error = "copy ids must be in 0..vocab";
    for (Py_ssize_t i = 0; !error && i < ls; i++)
        if (src[i] >= vocab) error = "source ids must be below vocab";
    for (Py_ssize_t i = 0; !error && i < lc - 2; i++) /* (positions index the copy) */
        if (g.pos3[i] < 0 || g.pos3[i] >= lc - 2) error = "positions must be in the copy";
    for (Py_ssize_t i = 0; !error && i < lc - 1; i++)
        if (g.pos2[i] < 0 || g.pos2[i] >= lc - 1) error = "positions must be in the copy";
    for (Py_ssize_t pi = 0; !error && pi < np; pi++) {
        const Py_ssize_t s = spans[2 * pi], e = spans[2 * pi + 1], size = e - s;
        const Py_ssize_t slack = size / 3 > 8 ? size / 3 : 8;
        if (s < 0 || e < s || e > ls) error = "every span must be within the source";
        else if ((size + 2 * slack) * size > cells) fits = 0;
    }
    if (!error && fits && vocab <= 4 * lc + 64) {
        if (!(first = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(2 * (vocab + 1)))))
            error = "out of memory";
        else
            pk_first_words(&g, c, lc, first);
    }
    if (!error && fits) {
        if (!(claims = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(4 * np + 1)))) {
            error = "out of memory";
        } else {
            const int got = pk_claim_all(c, lc, bufs[9].buf, &g, src, spans, np, stray,
                                         max_tries, most, max_postings, cells, min_similarity,
                                         abridged, memo, limit, claims, &nclaims);
            if (got == -1 && !PyErr_Occurred()) error = "out of memory";
            else if (got == -2) error = "a window too large"; /* (checked above: never) */
            else if (got == 0)
                result = finish(c, lc, bufs[9].buf, src, spans, origins, claims, nclaims, bounds,
                                nb, lead, min_similarity, abridged, memo, limit, &edit, kinds,
                                &match);
        }
    }
    pk_release_arrays(bufs, 10);
    PyMem_Free(claims);
    PyMem_Free(first);
    if (!error && !fits) result = Py_NewRef(Py_None);
    if (error) PyErr_Format(PyExc_ValueError, "align: %s", error);
    return result;
}

/* diff(a, copy, lo, hi) -> ((head, tail) | None, matched, opcodes): alignwork.pair of a
 * passage a and the copy's span [lo, hi) (ids): the passage words before its first and
 * after its last matching block (None: nothing matches), the words matched, and
 * difflib's get_opcodes (of a and the span). */
PyObject *pk_diff(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_a, *o_c;
    Py_ssize_t lo, hi;
    if (!PyArg_ParseTuple(args, "OOnn:diff", &o_a, &o_c, &lo, &hi)) return NULL;
    Py_buffer bufs[2];
    if (pk_get_pair(o_a, o_c, bufs) < 0) return NULL;
    PyObject *result = NULL, *ops = NULL, *ends = NULL;
    Block *bl = NULL;
    if (lo < 0 || hi > bufs[1].len / 8 || lo > hi) {
        PyErr_SetString(PyExc_ValueError, "diff: span outside the copy");
        goto done;
    }
    const int64_t *a = bufs[0].buf, *b = (const int64_t *)bufs[1].buf + lo;
    const Py_ssize_t la = bufs[0].len / 8, lb = hi - lo;
    bl = PyMem_Malloc(sizeof(Block) * (size_t)((la < lb ? la : lb) + 2));
    Py_ssize_t n = bl ? pk_matching(a, la, b, lb, bl) : (PyErr_NoMemory(), -1);
    if (n < 0 || !(ops = PyList_New(0))) goto done;
    Py_ssize_t matched = 0, i = 0, j = 0;
    bl[n] = (Block){la, lb, 0};
    for (Py_ssize_t m = 0; m <= n; m++) {
        const Block x = bl[m];
        matched += x.k;
        for (int step = 0; step < 2; step++) {
            int tag = -1;
            Py_ssize_t i1 = i, i2 = x.i, j1 = j, j2 = x.j;
            if (step == 0)
                tag = i < x.i && j < x.j ? 0 : i < x.i ? 1 : j < x.j ? 2 : -1;
            else if (x.k)
                tag = 3, i1 = x.i, i2 = x.i + x.k, j1 = x.j, j2 = x.j + x.k;
            if (tag < 0) continue;
            PyObject *t = Py_BuildValue("(Onnnn)", TAGS[tag], i1, i2, j1, j2);
            if (!t || PyList_Append(ops, t) < 0) {
                Py_XDECREF(t);
                goto done;
            }
            Py_DECREF(t);
        }
        i = x.i + x.k, j = x.j + x.k;
    }
    if (n) {
        ends = Py_BuildValue("(nn)", bl[0].i, la - (bl[n - 1].i + bl[n - 1].k));
        if (!ends) goto done;
    } else {
        ends = Py_NewRef(Py_None);
    }
    result = Py_BuildValue("(OnO)", ends, matched, ops);
done:
    Py_XDECREF(ends);
    Py_XDECREF(ops);
    PyMem_Free(bl);
    pk_release_arrays(bufs, 2);
    return result;
}

/* ids(words, vocab) -> bytes: each word's id in vocab (a dict of str to int, or
 * number()'s table of a copy's words), -1 for a word it lacks, as native int64s
 * (CopyIds.of: a passage's words as a copy's ids). */
PyObject *pk_ids(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_words, *vocab;
    if (!PyArg_ParseTuple(args, "OO:ids", &o_words, &vocab)) return NULL;
    if (!PyDict_Check(vocab) && !PyCapsule_CheckExact(vocab)) {
        PyErr_SetString(PyExc_TypeError, "ids: vocab must be a dict or number()'s table");
        return NULL;
    }
    PyObject *words = PySequence_Fast(o_words, "ids: words must be a sequence");
    if (!words) return NULL;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(words);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 8);
    if (!out) goto fail;
    int64_t *dst = (int64_t *)PyBytes_AS_STRING(out);
    PyObject **items = PySequence_Fast_ITEMS(words);
    if (!PyDict_Check(vocab)) {
        const int got = pk_table_ids(vocab, items, n, dst);
        if (got < 0) goto fail;
        if (got == 0) {
            PyErr_SetString(PyExc_TypeError, "ids: vocab must be a dict or number()'s table");
            goto fail;
        }
        Py_DECREF(words);
        return out;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyDict_GetItemWithError(vocab, items[i]); /* borrowed */
        if (!v) {
            if (PyErr_Occurred()) goto fail;
            dst[i] = -1;
            continue;
        }
        const long long x = PyLong_AsLongLong(v);
        if (x == -1 && PyErr_Occurred()) goto fail;
        dst[i] = x;
    }
    Py_DECREF(words);
    return out;
fail:
    Py_XDECREF(out);
    Py_DECREF(words);
    return NULL;
}
