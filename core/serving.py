"""How the web server starts: uvicorn with one listening socket that every worker shares.

uvicorn binds the socket of `--workers N` itself as ``socket.socket(family)``, whose protocol
number is 0. asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on accepted sockets whose
protocol is ``IPPROTO_TCP``, so with several workers every reply was held back by Nagle until the
client's delayed ACK — a fixed ~40 ms on every keep-alive request (`/health` fell from 662 to 180
requests/s with two workers). A single worker did not show it because asyncio's own
``create_server(host, port)`` creates its socket from getaddrinfo, protocol 6.

Here the listening socket is made with ``IPPROTO_TCP`` and ``TCP_NODELAY`` set (Linux passes
the option on to accepted sockets too), for one worker and for many alike; see bench/bench_api.py
for the measurement.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

logger = logging.getLogger("uvicorn.error")


def tcp_listener(host: str, port: int) -> socket.socket:
    """A bound TCP socket (IPv6 when the host has a colon) with TCP_NODELAY, inheritable by workers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class NoDelayConfig(uvicorn.Config):
    """uvicorn's configuration with the listening socket of `tcp_listener`."""

    def bind_socket(self) -> socket.socket:
        if self.uds is not None or self.fd is not None:
            return super().bind_socket()
        sock = tcp_listener(self.host, self.port)
        logger.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", self.host, sock.getsockname()[1])
        return sock


def server_options(workers: int = 1, log_level: str = "info") -> dict[str, Any]:
    """The uvicorn options of `main.py serve` (and of the benchmarks that start the real server)."""
    return {"factory": True, "workers": workers, "log_level": log_level}


def serve(app: str = "server:create_app", *, host: str, port: int, workers: int = 1,
          log_level: str = "info") -> None:
    """Serve `app` (an import string of a factory) on host:port with `workers` processes."""
    config = NoDelayConfig(app, host=host, port=port, **server_options(workers, log_level))
    sock = config.bind_socket()
    try:
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


def main(argv: list[str] | None = None) -> None:
    """`python -m core.serving APP --host H --port P --workers N`: the same start-up for benchmarks."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m core.serving")
    parser.add_argument("app", nargs="?", default="server:create_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    serve(args.app, host=args.host, port=args.port, workers=args.workers, log_level=args.log_level)


if __name__ == "__main__":
    main()
