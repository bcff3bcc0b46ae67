"""A TCP proxy on 127.0.0.1 that adds a fixed delay each way, so RTT = 2 x delay.

    python bench/latency_proxy.py --target 127.0.0.1:7700 --delay 0.05 [--port 0]

It prints the port it listens on, then serves until stopped. Every chunk of bytes is forwarded
`delay` seconds after it arrived, in order, in both directions, so every exchange — the TLS
handshake, each request — pays a full round trip. The TCP handshake itself cannot be delayed from
user space (the kernel accepts on loopback at once), so the first bytes a client sends on a
connection wait one round trip more: a client that connects and then speaks sees the same
timings as over a link with that RTT. It counts connections and reports them on stderr at exit.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys


class Proxy:
    def __init__(self, target: tuple[str, int], delay: float) -> None:
        self.target = target
        self.delay = delay
        self.connections = 0

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        arrived = asyncio.get_running_loop().time()
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        for writer in (client_writer, upstream_writer):
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The SYN / SYN-ACK round trip, paid by the first bytes the client sends: they reach
        # the server one round trip plus one way after the connection was accepted.
        first_bytes_due = arrived + 3 * self.delay
        await asyncio.gather(
            self.pipe(client_reader, upstream_writer, not_before=first_bytes_due),
            self.pipe(upstream_reader, client_writer, not_before=0.0),
            return_exceptions=True,
        )

    async def pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, not_before: float) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def forward() -> None:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(forward())
        try:
            while True:
                data = await reader.read(65536)
                queue.put_nowait((max(loop.time() + self.delay, not_before), data))
                if not data:
                    break
            await sender
        except (ConnectionError, OSError):
            sender.cancel()
        finally:
            writer.close()


async def serve(target: tuple[str, int], delay: float, port: int) -> None:
    proxy = Proxy(target, delay)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", port)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.close()
    print(f"connections: {proxy.connections}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="host:port to forward to (127.0.0.1 only)")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added each way (default 0.05: RTT 100 ms)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on, 127.0.0.1 (0: any free)")
    options = parser.parse_args()
    host, _, port = options.target.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        parser.error("the target must be on 127.0.0.1")
    asyncio.run(serve((host, int(port)), options.delay, options.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
