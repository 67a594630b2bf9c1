"""Probes: how each exercise's SPEC API is exercised, in the worker and in the grader alike."""
