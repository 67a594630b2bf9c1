"""Prints 2 GiB while importing, then is a correct solution: the output is capped, grading goes on."""

import os

BLOCK = b"spam" * 2**18  # 1 MiB
for _ in range(2048):
    os.write(1, BLOCK)
