"""Notebook submissions: run an ``.ipynb`` in a real Jupyter kernel, then grade its namespace.

``document`` reads and validates the file and ``script`` gives its code to the
static checks, without running anything. ``worker`` is the ``Worker`` the checks
talk to: its ``process`` is a kernel launched like the ``.py`` worker (or forked by
a ``forkserver``) that ``kernel_boot`` confines before it becomes an IPython
kernel listening on the Unix sockets of ``connection``; ``driver`` executes the
cells through nbclient, then sends the grader cell (``serve``), which answers
probes over the worker's private pipes.
"""
