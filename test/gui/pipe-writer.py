#!/usr/bin/env python3
"""Feed a pcap file into a FIFO in two parts, as a live capture would see it.

  pipe-writer.py CAPTURE FIFO PART1_PACKETS READY_DIR TIMEOUT

Writes the pcap header and the first PART1_PACKETS packets, waits for
READY_DIR/part1.ready, writes the rest, waits for READY_DIR/part2.ready, then
closes the FIFO (the capture stops).  Exits 1 if a signal does not come
within TIMEOUT seconds.
"""
import os
import struct
import sys
import time


def packets(path):
    with open(path, "rb") as f:
        header = f.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        records = []
        while True:
            head = f.read(16)
            if len(head) < 16:
                break
            caplen = struct.unpack(endian + "IIII", head)[2]
            records.append(head + f.read(caplen))
    return header, records


def wait_for(path, deadline):
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            sys.exit(f"pipe-writer: no {os.path.basename(path)} in time")
        time.sleep(0.1)


def main():
    capture, fifo, part1, ready, timeout = sys.argv[1:6]
    header, records = packets(capture)
    part1 = int(part1)
    deadline = time.monotonic() + float(timeout)
    with open(fifo, "wb", buffering=0) as pipe:
        pipe.write(header + b"".join(records[:part1]))
        wait_for(os.path.join(ready, "part1.ready"), deadline)
        pipe.write(b"".join(records[part1:]))
        wait_for(os.path.join(ready, "part2.ready"), deadline)


if __name__ == "__main__":
    main()
