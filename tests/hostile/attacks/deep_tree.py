"""Buries its directory under folders 10,000 deep, without permissions, with links out of it.

A clean-up that recurses (os.walk, shutil.rmtree) would crash on such a tree. The
worker's directory is read-only, so every attempt is refused, in Python and natively.
"""

import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
made = 0
try:
    for _ in range(1_500):
        os.mkdir("d")
        os.chdir("d")
        made += 1
except OSError as exc:
    print("mkdir", type(exc).__name__)
for _ in range(10_000):
    if libc.mkdir(b"n", 0) != 0 or libc.chdir(b"n") != 0:
        break
    made += 1
libc.symlink(b"/", b"root")
libc.chmod(b".", 0)
print("folders made:", made, "links made:", int(os.path.lexists("root")))
