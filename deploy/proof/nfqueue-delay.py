#!/usr/bin/env python3
"""Hold every packet of one netfilter queue for a fixed delay, then let it go on.

The stand-in for `tc netem delay` on a kernel built without sch_netem: cluster-netem.sh sends
the village link's packets, each way, to this queue with iptables (`-j NFQUEUE`) after the
kernel's own `statistic` match has dropped the lost ones. Packets leave in the order they came,
each `DELAY_MS` after it arrived.

    nfqueue-delay.py QUEUE DELAY_MS

Needs the NetfilterQueue package from PyPI (which builds against libnetfilter-queue-dev).
"""

import asyncio
import sys

from netfilterqueue import NetfilterQueue


def main() -> None:
    queue, delay_ms = int(sys.argv[1]), float(sys.argv[2])
    loop = asyncio.new_event_loop()
    nfq = NetfilterQueue()
    # The verdict is given later, from the timer; the packet waits in the kernel until then.
    nfq.bind(queue, lambda packet: loop.call_later(delay_ms / 1000, packet.accept), max_len=65536)
    loop.add_reader(nfq.get_fd(), lambda: nfq.run(block=False))
    print(f"queue {queue}: every packet held {delay_ms:g} ms", flush=True)
    try:
        loop.run_forever()
    finally:
        nfq.unbind()


if __name__ == "__main__":
    main()
