#!/usr/bin/env python3
"""A real SMTP server on loopback for storechat's e-mail tests.

    python3 tests/smtp/server.py --port 0 --out /tmp/mail [--fail-4xx N]
        [--fail-5xx] [--fail-5xx-rcpt ADDRESS]... [--exit-on-stdin-eof]

Listens on 127.0.0.1 (port 0 picks a free one) and prints `READY <port>`
once it accepts connections. Every accepted message becomes one JSON file in
--out (written to a temporary name, then renamed): mail_from, rcpt_tos, the
raw message as a string, received_at (UTC, ISO 8601).

  --fail-4xx N           answer the first N messages with
                         451 4.3.0 Try again later (transient)
  --fail-5xx             answer every message with
                         550 5.1.1 Mailbox unavailable (permanent)
  --fail-5xx-rcpt ADDR   answer RCPT TO:<ADDR> with 550 (repeatable); other
                         recipients are accepted
  --exit-on-stdin-eof    stop when stdin closes (the test that started us
                         went away)

Stops cleanly on SIGTERM or SIGINT. Exits with 3 when aiosmtpd is missing
(pip install -r tests/smtp/requirements.txt) and 4 when the port is taken.
"""

import argparse
import asyncio
import datetime
import itertools
import json
import os
import signal
import sys
import tempfile
import time

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    sys.stderr.write(
        "aiosmtpd is not installed: pip install -r tests/smtp/requirements.txt\n"
    )
    sys.exit(3)

TRANSIENT = "451 4.3.0 Try again later"
PERMANENT = "550 5.1.1 Mailbox unavailable"


class Handler:
    """aiosmtpd hooks: refuse as configured, store what is accepted."""

    def __init__(self, out, fail_4xx, fail_5xx, fail_rcpt):
        self.out = out
        self.transient_left = fail_4xx
        self.fail_5xx = fail_5xx
        self.fail_rcpt = {address.lower() for address in fail_rcpt}
        self.sequence = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.fail_rcpt:
            return PERMANENT
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_5xx:
            return PERMANENT
        if self.transient_left > 0:
            self.transient_left -= 1
            return TRANSIENT
        content = envelope.original_content or envelope.content
        if isinstance(content, bytes):
            content = content.decode("utf-8", errors="replace")
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "raw": content,
            "received_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        }
        self.store(record)
        return "250 2.0.0 OK: queued"

    def store(self, record):
        # Names sort in arrival order, across restarts on the same folder
        # too; the rename makes a file appear whole or not at all for a
        # reader polling the folder.
        name = f"{time.time_ns():020d}-{next(self.sequence):06d}.json"
        fd, temp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.out)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(temp, os.path.join(self.out, name))


class StdinWatch(asyncio.Protocol):
    """Sets `stop` when stdin reaches its end."""

    def __init__(self, stop):
        self.stop = stop

    def connection_lost(self, exc):
        self.stop.set()


async def serve(args):
    os.makedirs(args.out, exist_ok=True)
    handler = Handler(args.out, args.fail_4xx, args.fail_5xx, args.fail_5xx_rcpt)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="storechat-test-smtp", enable_SMTPUTF8=True),
        host="127.0.0.1",
        port=args.port,
    )
    port = server.sockets[0].getsockname()[1]

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        await loop.connect_read_pipe(lambda: StdinWatch(stop), sys.stdin)

    print(f"READY {port}", flush=True)
    await stop.wait()
    server.close()
    # Open client connections (a pooled SMTP transport) must not hold the stop.
    try:
        await asyncio.wait_for(server.wait_closed(), timeout=1)
    except asyncio.TimeoutError:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--out", required=True, help="folder for the received messages")
    parser.add_argument("--fail-4xx", type=int, default=0, metavar="N")
    parser.add_argument("--fail-5xx", action="store_true")
    parser.add_argument("--fail-5xx-rcpt", action="append", default=[], metavar="ADDRESS")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args))
    except OSError as e:
        sys.stderr.write(f"cannot listen on 127.0.0.1:{args.port}: {e}\n")
        sys.exit(4)


if __name__ == "__main__":
    main()
