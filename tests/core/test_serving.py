"""The shared listening socket of `main.py serve`: accepted connections have Nagle off (TCP_NODELAY),
for one worker and many (uvicorn's own socket for --workers left it on: ~40 ms per keep-alive reply)."""

import asyncio
import socket

from core.serving import NoDelayConfig, server_options, tcp_listener


def _accepted_nodelay(listener: socket.socket) -> int:
    """TCP_NODELAY of a connection accepted by an asyncio server on `listener` (as uvicorn serves)."""
    seen: list[int] = []

    async def run() -> None:
        def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connection, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(run())
    return seen[0]


def test_listener_is_tcp_with_nodelay_and_accepted_sockets_keep_it():
    listener = tcp_listener("127.0.0.1", 0)
    assert listener.proto == socket.IPPROTO_TCP and listener.get_inheritable()
    assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    assert _accepted_nodelay(listener) != 0


def test_uvicorns_own_socket_shows_the_problem_fixed_here():
    """What uvicorn binds for --workers (protocol 0): asyncio leaves Nagle on for its connections."""
    plain = socket.socket(socket.AF_INET)
    plain.bind(("127.0.0.1", 0))
    assert plain.proto == 0
    assert _accepted_nodelay(plain) == 0


def test_config_binds_the_nodelay_socket_for_several_workers():
    config = NoDelayConfig("server:create_app", host="127.0.0.1", port=0, **server_options(workers=2))
    sock = config.bind_socket()
    try:
        assert config.workers == 2 and sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()
