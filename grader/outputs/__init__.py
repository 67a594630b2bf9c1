"""Machine-readable outputs of a grading run: Gradescope, JUnit XML, PrairieLearn, the autograder zip.

Each writer turns a list of results (one per graded submission) into one document, and
shows students only what `visibility` allows.
"""
