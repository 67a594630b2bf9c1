/* The audit hook's dispatch in C: only the events the sandbox handles reach Python.
 *
 * CPython calls every audit hook for every event, and a hook added with
 * sys.addaudithook costs a Python call each time, even for the events it ignores:
 * a submission calling id() 300,000 times pays for 300,000 calls. This hook is a C
 * function that looks the event name up in a sorted table and calls the Python
 * handler only for the names given to add_hook(); every other event costs a look at
 * its first byte, at most a binary search over C strings. The handler is called as
 * CPython calls a Python hook (with tracing and profiling off), and an exception it
 * raises aborts the audited operation. Audit hooks cannot be removed, so the table
 * lives as long as the process.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name; /* UTF-8 buffer of `event`, which keeps it alive */
    PyObject *event;  /* the name as passed to the handler */
} Entry;

typedef struct {
    PyInterpreterState *interpreter; /* CPython keeps a Python hook to its interpreter: so does this */
    PyObject *handler;
    char first[256]; /* whether any name starts with this byte: most events stop here */
    Py_ssize_t count;
    Entry entries[]; /* sorted by name */
} Dispatch;

static int
compare_names(const void *a, const void *b)
{
    return strcmp(((const Entry *)a)->name, ((const Entry *)b)->name);
}

/* Like CPython around a Python hook: a student's trace or profile function never sees the handler. */
static void
enter_handler(PyThreadState *tstate)
{
#if PY_VERSION_HEX >= 0x030B0000
    PyThreadState_EnterTracing(tstate);
#else
    tstate->tracing++;
    tstate->cframe->use_tracing = 0;
#endif
}

static void
leave_handler(PyThreadState *tstate)
{
#if PY_VERSION_HEX >= 0x030B0000
    PyThreadState_LeaveTracing(tstate);
#else
    tstate->tracing--;
    tstate->cframe->use_tracing = (tstate->c_tracefunc != NULL || tstate->c_profilefunc != NULL);
#endif
}

/* Runs in the thread that raised the event, holding its interpreter's GIL; every interpreter calls it. */
static int
hook(const char *event, PyObject *args, void *data)
{
    Dispatch *dispatch = data;
    if (!dispatch->first[(unsigned char)event[0]]) {
        return 0;
    }
    Entry key = {event, NULL};
    Entry *found = bsearch(&key, dispatch->entries, (size_t)dispatch->count, sizeof(Entry), compare_names);
    PyThreadState *tstate = PyThreadState_Get();
    if (found == NULL || PyThreadState_GetInterpreter(tstate) != dispatch->interpreter) {
        return 0;
    }
    enter_handler(tstate);
    PyObject *result = PyObject_CallFunctionObjArgs(dispatch->handler, found->event, args, NULL);
    leave_handler(tstate);
    if (result == NULL) {
        return -1;
    }
    Py_DECREF(result);
    return 0;
}

static void
release(Dispatch *dispatch)
{
    for (Py_ssize_t i = 0; i < dispatch->count; i++) {
        Py_DECREF(dispatch->entries[i].event);
    }
    Py_DECREF(dispatch->handler);
    PyMem_RawFree(dispatch);
}

/* The table of `events` (str) for `handler`, or NULL with an exception set. */
static Dispatch *
make_dispatch(PyObject *handler, PyObject *events)
{
    PyObject *names = PySequence_Fast(events, "events must be a sequence of str");
    if (names == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(names);
    Dispatch *dispatch = PyMem_RawCalloc(1, sizeof(Dispatch) + (size_t)count * sizeof(Entry));
    if (dispatch == NULL) {
        Py_DECREF(names);
        PyErr_NoMemory();
        return NULL;
    }
    dispatch->interpreter = PyInterpreterState_Get();
    Py_INCREF(handler);
    dispatch->handler = handler;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *event = PySequence_Fast_GET_ITEM(names, i);
        const char *name = PyUnicode_Check(event) ? PyUnicode_AsUTF8(event) : NULL;
        if (name == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "events must be a sequence of str");
            }
            release(dispatch);
            Py_DECREF(names);
            return NULL;
        }
        Py_INCREF(event);
        dispatch->entries[i] = (Entry){name, event};
        dispatch->first[(unsigned char)name[0]] = 1;
        dispatch->count = i + 1;
    }
    Py_DECREF(names);
    qsort(dispatch->entries, (size_t)count, sizeof(Entry), compare_names);
    return dispatch;
}

static PyObject *
add_hook(PyObject *module, PyObject *args)
{
    PyObject *handler, *events;
    if (!PyArg_ParseTuple(args, "OO:add_hook", &handler, &events)) {
        return NULL;
    }
    if (!PyCallable_Check(handler)) {
        PyErr_SetString(PyExc_TypeError, "the handler must be callable");
        return NULL;
    }
    Dispatch *dispatch = make_dispatch(handler, events);
    if (dispatch == NULL) {
        return NULL;
    }
    if (PySys_AddAuditHook(hook, dispatch) < 0) {
        release(dispatch);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"add_hook", add_hook, METH_VARARGS,
     "add_hook(handler, events)\n--\n\n"
     "Add an audit hook calling handler(event, args) for the named events only (for good)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "grader.sandbox._audit",
    .m_doc = "The audit hook's dispatch in C: only the events the sandbox handles reach Python.",
    .m_size = 0,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__audit(void)
{
    return PyModuleDef_Init(&module);
}
