"""A TCP port on the child's loopback that leads to the database's unix socket.

Many ``env.py`` and settings modules build their URL from parts
(``f"postgresql+asyncpg://{user}:{password}@{host}:{port}/{db}"``), which cannot name a socket
directory. The sandbox gives the child no network when the database is a unix socket, so it
gets its own loopback port instead: a small relay thread, started before any target code runs,
accepts on ``127.0.0.1`` and copies bytes both ways to the socket. The database protocol does
not care which way it came; the target sees a plain ``host:port``.
"""

from __future__ import annotations

import contextlib
import socket
import threading

CHUNK = 65536


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(CHUNK):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


def _serve(listener: socket.socket, socket_path: str) -> None:
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(socket_path)
        except OSError:
            client.close()
            upstream.close()
            continue
        for pair in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pump, args=pair, daemon=True, name="rda-relay").start()


def start(socket_path: str) -> int:
    """Listen on 127.0.0.1 (a free port) and relay to ``socket_path``; return the port."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    threading.Thread(
        target=_serve, args=(listener, socket_path), daemon=True, name="rda-relay"
    ).start()
    return int(listener.getsockname()[1])
