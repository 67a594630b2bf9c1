"""Packaging the course for where it is graded: the Gradescope autograder zip."""
