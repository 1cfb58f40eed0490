#!/usr/bin/env python3
"""quicpeer.py -- a QUIC client or server for the quicretry lab (aioquic, PyPI).

  quicpeer.py client SECONDS HOST:PORT...   connect to each target at once (as a QUIC interop
      runner's client does), each attempt bounded by SECONDS: where nothing answers, aioquic
      sends its Initial (padded to 1,200 bytes, RFC 9000 14.1) again with exponential back-off
      (RFC 9002 probe timeouts) from the same socket until the bound; prints one line a target.
  quicpeer.py server ADDRESS PORT CERT KEY SECONDS   accept QUIC handshakes (ALPN hq-interop)
      for SECONDS.
"""
import asyncio
import sys

from aioquic.asyncio import connect, serve
from aioquic.quic.configuration import QuicConfiguration

ALPN = ["hq-interop", "h3"]


async def attempt(target, seconds):
    host, port = target.rsplit(":", 1)
    cfg = QuicConfiguration(is_client=True, alpn_protocols=ALPN, verify_mode=0)
    try:
        async with connect(host, int(port), configuration=cfg) as c:
            await asyncio.wait_for(c.ping(), seconds)
        return f"{target} connected"
    except Exception as e:  # timeout, refused: a failed attempt is what the lab is about
        return f"{target} failed: {type(e).__name__}"


async def client(seconds, targets):
    async def bounded(t):
        try:
            return await asyncio.wait_for(attempt(t, seconds), seconds)
        except asyncio.TimeoutError:
            return f"{t} no answer in {seconds} s"

    for line in await asyncio.gather(*(bounded(t) for t in targets)):
        print(line, flush=True)


async def server(addr, port, cert, key, seconds):
    cfg = QuicConfiguration(is_client=False, alpn_protocols=ALPN)
    cfg.load_cert_chain(cert, key)
    srv = await serve(addr, int(port), configuration=cfg)
    await asyncio.sleep(seconds)
    srv.close()


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "client":
        asyncio.run(client(float(sys.argv[2]), sys.argv[3:]))
    elif len(sys.argv) == 7 and sys.argv[1] == "server":
        asyncio.run(server(*sys.argv[2:6], float(sys.argv[6])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
