"""`grade batch`: grade a whole class in parallel, resumably, with a gradebook and a class summary.

`grade_batch(directory, out, ...)` is the plain Python call behind the command.
"""

from grader.batch.run import BatchReport, grade_batch

__all__ = ["BatchReport", "grade_batch"]
