"""Many HTTPS sandbox instances, each behind its own latency proxy, in one process.

    python bench/fleet.py --count 20 --delay 0.05

Prints one JSON line — the CA file every instance's certificate chains to, and each
instance's URL (its proxy's), ID and token — then serves until stdin closes or SIGTERM.
Everything listens on 127.0.0.1. Used by bench/run.py for doctor over several instances.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from latency_proxy import Proxy  # noqa: E402

from greencli.sandbox.instance import Options, guide_settings  # noqa: E402
from greencli.sandbox.server import start  # noqa: E402
from greencli.sandbox.tls import Certificates  # noqa: E402


async def serve(count: int, delay: float) -> None:
    certificates = Certificates()
    sandboxes = [
        start(Options(instance_id=str(1101000001 + n), state="authorized", settings=guide_settings()), rate_limits=False, certificates=certificates)
        for n in range(count)
    ]
    instances = []
    servers = []
    for sandbox in sandboxes:
        port = int(sandbox.url.rsplit(":", 1)[1])
        server = await asyncio.start_server(Proxy(("127.0.0.1", port), delay).handle, "127.0.0.1", 0)
        servers.append(server)
        instances.append(
            {
                "url": f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}",
                "id": sandbox.instance.instance_id,
                "token": sandbox.instance.token,
            }
        )
    print(json.dumps({"ca_file": str(certificates.ca_file), "instances": instances}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    loop.add_reader(sys.stdin.fileno(), stop.set)  # the parent went away
    await stop.wait()
    for server in servers:
        server.close()
    for sandbox in sandboxes:
        sandbox.stop()
    certificates.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added each way (default 0.05: RTT 100 ms)")
    options = parser.parse_args()
    asyncio.run(serve(options.count, options.delay))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
