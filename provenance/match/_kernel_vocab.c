/*
 * prov's compiled kernel, a copy's words numbered (alignwork.CopyIds, made once a check):
 *
 *   number    the copy's distinct words numbered in order of first use (a dict, as
 *             CopyIds.build numbered them), its words' ids, its trigrams' and bigrams'
 *             keys sorted with their positions, and the table ids() looks words up in
 *   pk_table_ids  a sequence of words as the copy's ids, looked up in that table (a hash
 *             table of the copy's words on their str hashes: what the dict does, without
 *             its generic look-up; ids() of twenty candidates a check)
 */
#include "_kernel.h"

/* The table: each copy word (a str, its reference held) with its hash and id, open
 * addressing (mask + 1 slots, a power of two, at most half full); the dict it numbers
 * (for a word that is not a str: looked up there, as the dict does). */
typedef struct {
    Py_hash_t hash;
    PyObject *word;
    int64_t id;
} Slot;

typedef struct {
    PyObject *vocab;
    Py_ssize_t mask;
    Slot slots[];
} Table;

static const char TABLE[] = "provenance.match._kernel.vocab";

static void table_free(PyObject *capsule) {
    Table *t = PyCapsule_GetPointer(capsule, TABLE);
    if (!t) return;
    for (Py_ssize_t h = 0; h <= t->mask; h++) Py_XDECREF(t->slots[h].word);
    Py_XDECREF(t->vocab);
    PyMem_Free(t);
}

/* A str's kind and data made (before 3.12 a str may lack them): 0, or -1 (the error set). */
static inline int ready(PyObject *w) {
#if PY_VERSION_HEX < 0x030C0000
    return PyUnicode_READY(w);
#else
    (void)w;
    return 0;
#endif
}

/* An exact str's hash: the one it keeps (a word's hash is made once, at its first
 * look-up), else made: -1 (the error set). */
static inline Py_hash_t str_hash(PyObject *w) {
    const Py_hash_t kept = ((PyASCIIObject *)w)->hash;
    return kept != -1 ? kept : ready(w) < 0 ? -1 : PyObject_Hash(w);
}

/* Two exact strs equal (CPython's strs are in their narrowest kind: equal strs have the
 * same kind and bytes). */
static inline int same_str(PyObject *a, PyObject *b) {
    if (a == b) return 1;
    const Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    return n == PyUnicode_GET_LENGTH(b) && PyUnicode_KIND(a) == PyUnicode_KIND(b) &&
           !memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)n * PyUnicode_KIND(a));
}

/* The slot of exact str w (hash: its hash) in t: its word's, or the empty one where it
 * goes. */
static inline Slot *slot_of(Table *t, PyObject *w, Py_hash_t hash) {
    size_t h = (size_t)hash & (size_t)t->mask;
    while (t->slots[h].word && (t->slots[h].hash != hash || !same_str(t->slots[h].word, w)))
        h = (h + 1) & (size_t)t->mask;
    return &t->slots[h];
}

/* (A copy's key, its position: sorted by key, then position, as a stable argsort.) */
typedef struct {
    int64_t key, pos;
} Keyed;

static int cmp_keyed(const void *x, const void *y) {
    const Keyed *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* The n-grams' (n = 3 or 2) keys of ids (lc of them; vocab: v) sorted with their
 * positions, as two bytes objects added to out (a list): 0, or -1 (the error set). Sorted
 * by first word (a counting sort: positions in order), then each first word's keys (a
 * few: by insertion; many: qsort), ties in position order: a stable argsort's order. */
static int grams(const int64_t *ids, Py_ssize_t lc, int64_t v, int n, PyObject *out) {
    const Py_ssize_t m = lc >= n ? lc - n + 1 : 0;
    Keyed *kp = PyMem_Malloc(sizeof(Keyed) * (size_t)(m + 1));
    Py_ssize_t *start = PyMem_Calloc((size_t)v + 1, sizeof(Py_ssize_t));
    PyObject *keys = PyBytes_FromStringAndSize(NULL, 8 * m);
    PyObject *pos = PyBytes_FromStringAndSize(NULL, 8 * m);
    int got = -1;
    if (!kp || !start || !keys || !pos) goto done;
    for (Py_ssize_t t = 0; t < m; t++) start[ids[t] + 1]++;
    for (int64_t a = 1; a < v; a++) start[a] += start[a - 1]; /* (where a's keys start) */
    for (Py_ssize_t t = 0; t < m; t++) {
        const int64_t key = n == 3 ? (ids[t] * v + ids[t + 1]) * v + ids[t + 2]
                                   : ids[t] * v + ids[t + 1];
        kp[start[ids[t]]++] = (Keyed){key, t}; /* (start[a]: where a's keys end, then) */
    }
    for (int64_t a = 0, from = 0; a < v; from = start[a++]) {
        Keyed *x = kp + from;
        const Py_ssize_t k = start[a] - from;
        if (k > 16) {
            qsort(x, (size_t)k, sizeof(Keyed), cmp_keyed);
            continue;
        }
        for (Py_ssize_t i = 1; i < k; i++) {
            const Keyed y = x[i];
            Py_ssize_t j = i;
            for (; j > 0 && x[j - 1].key > y.key; j--) x[j] = x[j - 1];
            x[j] = y;
        }
    }
    int64_t *kk = (int64_t *)PyBytes_AS_STRING(keys), *p = (int64_t *)PyBytes_AS_STRING(pos);
    for (Py_ssize_t t = 0; t < m; t++) kk[t] = kp[t].key, p[t] = kp[t].pos;
    got = PyList_Append(out, keys) < 0 || PyList_Append(out, pos) < 0 ? -1 : 0;
done:
    if ((!kp || !start) && !PyErr_Occurred()) PyErr_NoMemory();
    PyMem_Free(kp);
    PyMem_Free(start);
    Py_XDECREF(keys);
    Py_XDECREF(pos);
    return got;
}

/* number(words, most) -> [vocab, ids, keys3, pos3, keys2, pos2, table] | None:
 * CopyIds.build of a copy's words: vocab (a dict: each distinct word's number, in order
 * of first use), ids (the words' numbers), keys3/pos3 and keys2/pos2 (the keys of its
 * trigrams and bigrams, (a * v + b) * v + c and a * v + b, sorted, with their positions:
 * a stable argsort's order), as native int64 bytes, and the table ids() looks words up
 * in. None: a word is not a str, or there are no words, or `most` distinct ones or more
 * (the caller numbers them as before). */
PyObject *pk_number(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o_words;
    Py_ssize_t most;
    if (!PyArg_ParseTuple(args, "On:number", &o_words, &most)) return NULL;
    PyObject *words = PySequence_Fast(o_words, "number: words must be a sequence");
    if (!words) return NULL;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(words);
    PyObject **items = PySequence_Fast_ITEMS(words);
    PyObject *result = NULL, *vocab = NULL, *ids = NULL, *capsule = NULL, *out = NULL;
    Py_ssize_t slots = 16, v = 0;
    while (slots < 2 * n) slots *= 2;
    Table *t = PyMem_Calloc(1, sizeof(Table) + sizeof(Slot) * (size_t)slots);
    if (!t) {
        PyErr_NoMemory();
        goto done;
    }
    t->mask = slots - 1;
    if (!(capsule = PyCapsule_New(t, TABLE, table_free))) {
        PyMem_Free(t);
        goto done;
    }
    if (!(vocab = PyDict_New()) || !(ids = PyBytes_FromStringAndSize(NULL, 8 * n))) goto done;
    t->vocab = Py_NewRef(vocab);
    int64_t *dst = (int64_t *)PyBytes_AS_STRING(ids);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = items[i];
        if (!PyUnicode_CheckExact(w)) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        const Py_hash_t hash = str_hash(w);
        if (hash == -1) goto done;
        Slot *s = slot_of(t, w, hash);
        if (!s->word) {
            if (v + 1 >= most) { /* (CopyIds takes fewer than most) */
                result = Py_NewRef(Py_None);
                goto done;
            }
            PyObject *id = PyLong_FromSsize_t(v);
            const int set = id ? PyDict_SetItem(vocab, w, id) : -1;
            Py_XDECREF(id);
            if (set < 0) goto done;
            *s = (Slot){hash, Py_NewRef(w), v++};
        }
        dst[i] = s->id;
    }
    if (!v) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    if (!(out = Py_BuildValue("[OO]", vocab, ids)) || grams(dst, n, v, 3, out) < 0 ||
        grams(dst, n, v, 2, out) < 0 || PyList_Append(out, capsule) < 0)
        goto done;
    result = Py_NewRef(out);
done:
    Py_XDECREF(out);
    Py_XDECREF(capsule);
    Py_XDECREF(vocab);
    Py_XDECREF(ids);
    Py_DECREF(words);
    return result;
}

/* words[0..n) as the ids of table (number's): each one's id, -1 for a word the copy
 * lacks (what the table's dict gives: a word that is not an exact str is looked up
 * there). 1: done; 0: table is not number's (nothing done); -1: the error set. */
int pk_table_ids(PyObject *table, PyObject *const *words, Py_ssize_t n, int64_t *dst) {
    if (!PyCapsule_IsValid(table, TABLE)) return 0;
    Table *t = PyCapsule_GetPointer(table, TABLE);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = words[i];
        if (PyUnicode_CheckExact(w)) {
            const Py_hash_t hash = str_hash(w);
            if (hash == -1) return -1;
            const Slot *s = slot_of(t, w, hash);
            dst[i] = s->word ? s->id : -1;
            continue;
        }
        PyObject *v = PyDict_GetItemWithError(t->vocab, w); /* borrowed */
        if (!v && PyErr_Occurred()) return -1;
        dst[i] = v ? PyLong_AsLongLong(v) : -1;
        if (dst[i] == -1 && PyErr_Occurred()) return -1;
    }
    return 1;
}
