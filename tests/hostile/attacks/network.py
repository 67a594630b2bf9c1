"""Tries to reach a server on the grader's machine (loopback only), from Python and through libc.

``PORT`` is replaced by the test with the port of a server it listens on.
"""

import ctypes
import socket

PORT = 0
libc = ctypes.CDLL(None, use_errno=True)
for attempt in (
    lambda: socket.create_connection(("127.0.0.1", PORT), timeout=1),
    lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hello", ("127.0.0.1", PORT)),
):
    try:
        attempt()
    except OSError as exc:
        print("refused:", type(exc).__name__)
if libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0) < 0:
    print("libc socket: errno", ctypes.get_errno())
