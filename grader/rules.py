"""The rules of integrity findings (SPEC §4): what a TA should look at, named once.

Plain constants without imports: the student's process reports findings under these
names before it imports anything heavy, and the grader reads them.
"""

READ_COURSE = "read-course-files"
READ_OUTSIDE = "read-outside-sandbox"
WRITE_OUTSIDE = "write-outside-sandbox"
DELETE = "delete-files"
FORGED = "forged-results"
SPAWN = "spawn-process"
SIGNAL = "signal-process"
NETWORK = "network"
NATIVE = "native-code"
TAMPER = "tamper"
