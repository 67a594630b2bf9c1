"""Run an untrusted submission in a confined worker process and talk to it over a pipe.

``supervisor`` is the grader's side, ``worker`` and ``confinement`` run inside the
student process, ``protocol`` is the plain-data wire format both sides share.
"""
