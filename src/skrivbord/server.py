"""Serving skrivbord over HTTP with granian, started in-process (docs/decisions/0003-granian.md).

Used by `skrivbord serve` (production) and `skrivbord demo`. The calling process becomes
granian's supervisor: it binds the socket, starts the worker processes that run the WSGI
application, and returns after SIGINT (Ctrl-C) or SIGTERM once the workers have stopped.
"""

from __future__ import annotations

import errno
import os
import socket

WSGI_TARGET = "skrivbord.wsgi:application"


class AddressInUse(Exception):
    """The host and port are taken (or not ours to bind); the message says which."""


def check_address(host: str, port: int) -> None:
    """Fail early and clearly when the port is taken, instead of in granian's Rust core."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # Same option granian uses, so a port in TIME_WAIT after a restart is not "in use".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise AddressInUse(f"{host}:{port} is already in use.") from error
            raise AddressInUse(f"Cannot listen on {host}:{port}: {error.strerror}.") from error


# Granian's own guidance for WSGI: more threads than this only queue for the GIL.
DEFAULT_THREADS = 2 * (os.cpu_count() or 1) + 1
DEFAULT_SHUTDOWN_TIMEOUT = 10


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    threads: int = DEFAULT_THREADS,
    shutdown_timeout: int = DEFAULT_SHUTDOWN_TIMEOUT,
    access_log: bool = False,
) -> None:
    """Serve the WSGI application until SIGINT or SIGTERM; returns after the workers stopped.

    `threads` is the number of threads per worker that run Django code (granian's blocking
    threads), and so also the number of database connections per worker. A worker still busy
    `shutdown_timeout` seconds after the stop signal is killed: granian waits forever by
    default, and a worker that missed the signal (a rare race seen under load with Ctrl-C)
    would otherwise keep the server from stopping.
    """
    from django.db import connections
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    check_address(host, port)
    # Workers are forked from this process on Linux: they must not inherit its database
    # connections (used by migrate and the demo loader), or two processes would share one.
    connections.close_all()
    server = Server(
        WSGI_TARGET,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        workers_kill_timeout=shutdown_timeout,
        log_level=LogLevels.info,
        log_access=access_log,
    )
    server.serve()
