/*
 * The reworded-passage search's tf-idf loops (bags.py's weigh, weigh_more, cosine and a
 * vector's scaling, texts.py's held counts) on Python dicts, the same to the bit as the
 * Python code they replace:
 *
 *   - each dict is walked with PyDict_Next, in its order, as the Python comprehension
 *     walks it, and the new dicts get their keys in that order;
 *   - each product is rounded to a double before it is added (setup.py compiles with
 *     -ffp-contract=off: no fused multiply-add), and the sums are builtin sum()'s on a
 *     list of floats: 0 + the first, then the others one by one (CPython 3.12 on: with
 *     its Neumaier compensation, as sum() does);
 *   - anything the Python code would treat otherwise (a key that is not a str, a weight
 *     that is not a float, a count that is not a small non-negative int, a missing idf,
 *     a division by zero) makes the function return None, and the caller runs the Python
 *     code, which gives its own answer or raises its own error.
 */
#include "_kernel.h"

#include <math.h>

/* builtin sum() of floats, one by one (see the top of the file). */
typedef struct {
    double f, c;
    Py_ssize_t n;
} fsum_t;

static inline void fsum_add(fsum_t *s, double x) {
    if (s->n++ == 0) {
        s->f = 0.0 + x; /* sum()'s start, the int 0, plus the first item */
        return;
    }
#if PY_VERSION_HEX >= 0x030C0000
    const double t = s->f + x;
    if (fabs(s->f) >= fabs(x))
        s->c += (s->f - t) + x;
    else
        s->c += (x - t) + s->f;
    s->f = t;
#else
    s->f += x;
#endif
}

/* The sum as sum() gives it: the int 0 when nothing was added. */
static double fsum_value(const fsum_t *s) {
#if PY_VERSION_HEX >= 0x030C0000
    if (s->c && isfinite(s->c)) return s->f + s->c;
#endif
    return s->f;
}

#define DECLINE() Py_RETURN_NONE

/* A bag's count as a C value: 0 <= n < 2**62 (else -1: not one the kernel handles). */
static long long small_count(PyObject *v) {
    if (!PyLong_CheckExact(v)) return -1;
    int overflow = 0;
    const long long n = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || n < 0 || n >= (1LL << 62)) {
        if (n == -1 && PyErr_Occurred()) PyErr_Clear();
        return -1;
    }
    return n;
}

/* 1 + log(n) as bags._TF holds it (the tuple `tf`) for n below its length, else
 * computed as Python's math.log does for a small int (libm's log of it as a double);
 * -1.0 if the tuple's item is not a float (never: bags builds it). */
static double tf_of(PyObject *tf, long long n) {
    if (n < PyTuple_GET_SIZE(tf)) {
        PyObject *w = PyTuple_GET_ITEM(tf, n);
        return PyFloat_CheckExact(w) ? PyFloat_AS_DOUBLE(w) : -1.0;
    }
    return 1 + log((double)n);
}

/* vec[t] = tf(bag[t]) * idf[t] for each t of `keys` (bag's own keys when keys is bag);
 * 1 done, 0 declined, -1 error. */
static int put_weights(PyObject *vec, PyObject *bag, PyObject *keys, PyObject *idf,
                       PyObject *tf) {
    Py_ssize_t pos = 0;
    PyObject *t, *count;
    while (PyDict_Next(keys, &pos, &t, &count)) {
        if (!PyUnicode_CheckExact(t)) return 0;
        if (keys != bag) {
            count = PyDict_GetItemWithError(bag, t);
            if (!count) return PyErr_Occurred() ? -1 : 0;
        }
        const long long n = small_count(count);
        if (n < 0) return 0;
        const double w = tf_of(tf, n);
        if (w < 0) return 0;
        PyObject *weight = PyDict_GetItemWithError(idf, t);
        if (!weight) return PyErr_Occurred() ? -1 : 0;
        if (!PyFloat_CheckExact(weight)) return 0;
        PyObject *v = PyFloat_FromDouble(w * PyFloat_AS_DOUBLE(weight));
        if (!v) return -1;
        const int failed = PyDict_SetItem(vec, t, v);
        Py_DECREF(v);
        if (failed) return -1;
    }
    return 1;
}

/* (vec, sqrt(sum of its squares, in its order)); 0 declined (a value not a float). */
static PyObject *with_norm(PyObject *vec) {
    fsum_t s = {0.0, 0.0, 0};
    Py_ssize_t pos = 0;
    PyObject *t, *v;
    while (PyDict_Next(vec, &pos, &t, &v)) {
        if (!PyFloat_CheckExact(v)) {
            Py_DECREF(vec);
            DECLINE();
        }
        const double x = PyFloat_AS_DOUBLE(v);
        fsum_add(&s, x * x);
    }
    PyObject *out = Py_BuildValue("(Nd)", vec, sqrt(fsum_value(&s)));
    return out;
}

static int check_dicts(PyObject *const *objs, int n) {
    for (int j = 0; j < n; j++)
        if (!PyDict_Check(objs[j])) return 0;
    return 1;
}

/* bag_weigh(bag, idf, tf) -> (vec, norm) | None: bags.weigh. */
PyObject *pk_bag_weigh(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *bag, *idf, *tf;
    if (!PyArg_ParseTuple(args, "OOO!:bag_weigh", &bag, &idf, &PyTuple_Type, &tf)) return NULL;
    PyObject *const objs[2] = {bag, idf};
    if (!check_dicts(objs, 2)) DECLINE();
    PyObject *vec = PyDict_New();
    if (!vec) return NULL;
    const int done = put_weights(vec, bag, bag, idf, tf);
    if (done <= 0) {
        Py_DECREF(vec);
        if (done < 0) return NULL;
        DECLINE();
    }
    return with_norm(vec);
}

/* bag_weigh_more(weighed, bag, added, idf, tf) -> (vec, norm) | None: bags.weigh_more. */
PyObject *pk_bag_weigh_more(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *weighed, *bag, *added, *idf, *tf;
    if (!PyArg_ParseTuple(args, "OOOOO!:bag_weigh_more", &weighed, &bag, &added, &idf,
                          &PyTuple_Type, &tf))
        return NULL;
    PyObject *const objs[4] = {weighed, bag, added, idf};
    if (!check_dicts(objs, 4)) DECLINE();
    PyObject *vec = PyDict_Copy(weighed);
    if (!vec) return NULL;
    const int done = put_weights(vec, bag, added, idf, tf);
    if (done <= 0) {
        Py_DECREF(vec);
        if (done < 0) return NULL;
        DECLINE();
    }
    return with_norm(vec);
}

/* bag_scaled(weights, idf) -> (vec, norm) | None: {t: w * idf[t]} and its norm. */
PyObject *pk_bag_scaled(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *weights, *idf;
    if (!PyArg_ParseTuple(args, "OO:bag_scaled", &weights, &idf)) return NULL;
    PyObject *const objs[2] = {weights, idf};
    if (!check_dicts(objs, 2)) DECLINE();
    PyObject *vec = PyDict_New();
    if (!vec) return NULL;
    Py_ssize_t pos = 0;
    PyObject *t, *w;
    while (PyDict_Next(weights, &pos, &t, &w)) {
        PyObject *weight = NULL;
        if (PyUnicode_CheckExact(t) && PyFloat_CheckExact(w))
            weight = PyDict_GetItemWithError(idf, t);
        if (!weight || !PyFloat_CheckExact(weight)) {
            Py_DECREF(vec);
            if (PyErr_Occurred()) return NULL;
            DECLINE();
        }
        PyObject *v = PyFloat_FromDouble(PyFloat_AS_DOUBLE(w) * PyFloat_AS_DOUBLE(weight));
        if (!v || PyDict_SetItem(vec, t, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(vec);
            return NULL;
        }
        Py_DECREF(v);
    }
    return with_norm(vec);
}

/* bag_cosine(a, na, b, nb) -> float | None: sum of a[t] * b.get(t, 0.0) over a, in a's
 * order, over na * nb (the caller has put the smaller dict first and handled a zero
 * norm). */
PyObject *pk_bag_cosine(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *a, *b;
    double na, nb;
    if (!PyArg_ParseTuple(args, "OdOd:bag_cosine", &a, &na, &b, &nb)) return NULL;
    PyObject *const objs[2] = {a, b};
    if (!check_dicts(objs, 2)) DECLINE();
    fsum_t s = {0.0, 0.0, 0};
    Py_ssize_t pos = 0;
    PyObject *t, *v;
    while (PyDict_Next(a, &pos, &t, &v)) {
        if (!PyUnicode_CheckExact(t) || !PyFloat_CheckExact(v)) DECLINE();
        PyObject *w = PyDict_GetItemWithError(b, t);
        double y = 0.0;
        if (w) {
            if (!PyFloat_CheckExact(w)) DECLINE();
            y = PyFloat_AS_DOUBLE(w);
        } else if (PyErr_Occurred()) {
            return NULL;
        }
        fsum_add(&s, PyFloat_AS_DOUBLE(v) * y);
    }
    const double norms = na * nb;
    if (norms == 0.0) DECLINE(); /* Python raises ZeroDivisionError */
    return PyFloat_FromDouble((s.n ? fsum_value(&s) : 0.0) / norms);
}

/* bag_held(counts, keys) -> int | None: sum(counts.get(t, 0) for t in keys), keys any
 * iterable of str (a dict: its keys). */
PyObject *pk_bag_held(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *counts, *keys;
    if (!PyArg_ParseTuple(args, "O!O:bag_held", &PyDict_Type, &counts, &keys)) return NULL;
    long long total = 0;
    if (PyDict_Check(keys)) {
        Py_ssize_t pos = 0;
        PyObject *t, *unused;
        while (PyDict_Next(keys, &pos, &t, &unused)) {
            if (!PyUnicode_CheckExact(t)) DECLINE();
            PyObject *c = PyDict_GetItemWithError(counts, t);
            if (!c) {
                if (PyErr_Occurred()) return NULL;
                continue;
            }
            const long long n = small_count(c);
            if (n < 0 || total > (1LL << 62) - n) DECLINE();
            total += n;
        }
        return PyLong_FromLongLong(total);
    }
    DECLINE();
}

/* bag_units(counter_type, bag, postings, start) -> Counter | None: how many of the bag's
 * stems each unit holds, by the stems' postings (lists or tuples of unit numbers), counted
 * as Counter(start) updated by each of [postings[t] for t in bag if postings.get(t)] in
 * turn counts them (start None: an empty Counter): a unit's key where it first comes. */
PyObject *pk_bag_units(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *counter_type, *bag, *postings, *start;
    if (!PyArg_ParseTuple(args, "OOOO:bag_units", &counter_type, &bag, &postings, &start))
        return NULL;
    PyObject *const objs[2] = {bag, postings};
    if (!check_dicts(objs, 2) || (start != Py_None && !PyDict_Check(start))) DECLINE();
    /* an empty Counter, made as dict makes it (Counter.__init__ would only update it
     * with nothing; not running it saves two Python calls a sentence) */
    if (!PyType_Check(counter_type) ||
        !PyType_IsSubtype((PyTypeObject *)counter_type, &PyDict_Type))
        DECLINE();
    PyTypeObject *tp = (PyTypeObject *)counter_type;
    PyObject *no_args = PyTuple_New(0);
    if (!no_args) return NULL;
    PyObject *out = tp->tp_new(tp, no_args, NULL);
    Py_DECREF(no_args);
    if (!out) return NULL;
    if (!PyDict_Check(out) || PyDict_GET_SIZE(out)) goto decline;
    if (start != Py_None) {
        /* Counter(start) of a Counter: dict.update into the empty Counter */
        Py_ssize_t at = 0;
        PyObject *i, *c;
        while (PyDict_Next(start, &at, &i, &c))
            if (!PyLong_CheckExact(i) || small_count(c) < 0) goto decline;
        if (PyDict_Update(out, start) < 0) goto error;
    }
    Py_ssize_t pos = 0;
    PyObject *t, *unused;
    while (PyDict_Next(bag, &pos, &t, &unused)) {
        if (!PyUnicode_CheckExact(t)) goto decline;
        PyObject *units = PyDict_GetItemWithError(postings, t);
        if (!units) {
            if (PyErr_Occurred()) goto error;
            continue;
        }
        if (!PyList_CheckExact(units) && !PyTuple_CheckExact(units)) goto decline;
        /* (no Python code runs below: the list cannot change under the loop) */
        const Py_ssize_t n = PySequence_Fast_GET_SIZE(units);
        PyObject **items = PySequence_Fast_ITEMS(units);
        for (Py_ssize_t k = 0; k < n; k++) {
            PyObject *i = items[k];
            if (!PyLong_CheckExact(i)) goto decline;
            PyObject *had = PyDict_GetItemWithError(out, i);
            long long c = 0;
            if (had) {
                c = small_count(had);
                if (c < 0) goto decline;
            } else if (PyErr_Occurred()) {
                goto error;
            }
            PyObject *now = PyLong_FromLongLong(c + 1);
            if (!now) goto error;
            const int failed = PyDict_SetItem(out, i, now);
            Py_DECREF(now);
            if (failed) goto error;
        }
    }
    return out;
decline:
    Py_DECREF(out);
    DECLINE();
error:
    Py_DECREF(out);
    return NULL;
}

/* bag_mapped(counts, table) -> dict | None: {t: table[k] for t, k in counts.items()}
 * (each stem's idf from its count of units: texts.texts_of). */
PyObject *pk_bag_mapped(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *counts, *table;
    if (!PyArg_ParseTuple(args, "OO:bag_mapped", &counts, &table)) return NULL;
    PyObject *const objs[2] = {counts, table};
    if (!check_dicts(objs, 2)) DECLINE();
    PyObject *out = PyDict_New();
    if (!out) return NULL;
    Py_ssize_t pos = 0;
    PyObject *t, *k;
    while (PyDict_Next(counts, &pos, &t, &k)) {
        PyObject *v = NULL;
        if (PyUnicode_CheckExact(t) && PyLong_CheckExact(k)) v = PyDict_GetItemWithError(table, k);
        if (!v) {
            Py_DECREF(out);
            if (PyErr_Occurred()) return NULL;
            DECLINE();
        }
        if (PyDict_SetItem(out, t, v) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}
