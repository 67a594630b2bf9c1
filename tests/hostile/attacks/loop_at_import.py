"""Never finishes importing: the grader gives up at the time limit and grades nothing."""

while True:
    pass
