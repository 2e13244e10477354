#!/usr/bin/env python3
"""Loopback stand-ins for a slow and for a dead network, for the benchmark.

    relay.py delay --target PORT --delay-ms 25 --port-file FILE
    relay.py blackhole --port-file FILE

delay: a TCP relay on 127.0.0.1 that holds every chunk DELAY_MS before
passing it on, in each direction, so a request and its answer take
2 x DELAY_MS more than on plain loopback.  The kernels the benchmark runs
on have no netem, so this is the closest thing.  Only data is held: the
TCP handshake with the relay itself completes at once, so a connect()
costs no round trip (for every client alike).

blackhole: accepts connections and never answers, as a server whose
process is stuck or whose replies a firewall drops.  Clients see their
connect succeed and then wait in the TLS handshake until they time out.

Either way the listening port is written to FILE once bound.  Standard
library only; SIGTERM ends it.
"""

import argparse
import asyncio
import os
import signal

CHUNK = 65536


async def pump(reader, writer, delay):
    """Copies reader to writer, each chunk delay seconds after it came.

    Chunks go through a queue to a second task, so holding one does not
    hold the reading of the next: the delay adds latency, not a limit on
    throughput."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def forward():
        while True:
            due, data = await queue.get()
            pause = due - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(forward())
    try:
        while True:
            data = await reader.read(CHUNK)
            await queue.put((loop.time() + delay, data or None))
            if not data:
                break
        await sender
    except OSError:
        pass  # either side went away: this direction is done
    finally:
        sender.cancel()


async def relay_one(client_reader, client_writer, target, delay):
    try:
        server_reader, server_writer = await asyncio.open_connection(
            "127.0.0.1", target)
    except OSError:
        client_writer.close()
        return
    try:
        await asyncio.gather(
            pump(client_reader, server_writer, delay),
            pump(server_reader, client_writer, delay))
    finally:
        for writer in (client_writer, server_writer):
            writer.close()


async def swallow(reader, writer):
    """Reads and drops whatever comes, answers nothing, until the client
    gives up."""
    try:
        while await reader.read(CHUNK):
            pass
    except ConnectionError:
        pass
    writer.close()


def write_port_file(path, port):
    with open(path + ".tmp", "w", encoding="ascii") as out:
        out.write(f"{port}\n")
    os.replace(path + ".tmp", path)


# The connections' tasks, so that none is collected while it still runs.
RUNNING = set()


def keep(coroutine_function):
    async def handler(reader, writer):
        task = asyncio.current_task()
        RUNNING.add(task)
        try:
            await coroutine_function(reader, writer)
        finally:
            RUNNING.discard(task)
    return handler


async def serve(args):
    if args.mode == "delay":
        delay = args.delay_ms / 1000

        @keep
        async def handler(reader, writer):
            await relay_one(reader, writer, args.target, delay)
    else:
        handler = keep(swallow)
    server = await asyncio.start_server(handler, "127.0.0.1", 0,
                                        backlog=128)
    write_port_file(args.port_file, server.sockets[0].getsockname()[1])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        await stop.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("delay", "blackhole"))
    parser.add_argument("--target", type=int, help="port to relay to")
    parser.add_argument("--delay-ms", type=float, default=25.0,
                        help="hold in each direction (default 25)")
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    if args.mode == "delay" and args.target is None:
        parser.error("delay needs --target")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
