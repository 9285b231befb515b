#!/usr/bin/env python3
"""Hostile membership datagrams from the client host, bounded (lab only).

Usage: membership-flood.py CAPTURE.pcap PER_KIND RATE NODE_IP...
Reads the membership datagrams captured on a node (Ethernet, IPv4, UDP), then sends to every
NODE_IP, at about RATE datagrams a second in all, PER_KIND datagrams of each kind:
  garbage    random bytes of random length
  truncated  a captured datagram cut short
  forged     a captured datagram with its tag changed
  stale-key  a captured datagram signed again under a key nobody holds
  replayed   a captured datagram sent to this node, sent again unchanged (needs one captured for it)
Prints `membership_flood_sent{kind,node}: N` lines.
"""
import hashlib, hmac, os, random, socket, struct, sys, time

def payloads(path):
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(endian + 'I', data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 14 + 20 + 8 or frame[12:14] != b'\x08\x00':
            continue
        ihl = (frame[14] & 0x0f) * 4
        if frame[14 + 9] != 17:
            continue
        dst = socket.inet_ntoa(frame[14 + 16:14 + 20])
        udp = frame[14 + ihl:]
        if struct.unpack('>H', udp[2:4])[0] != 7946:
            continue
        out.append((dst, udp[8:]))
    return out

def main():
    capture, per_kind, rate, nodes = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
    captured = payloads(capture)
    if not captured:
        sys.exit('no membership datagram in ' + capture)
    rnd = random.Random(7946)
    stale_key = os.urandom(32)
    plan = []
    for node in nodes:
        mine = [p for d, p in captured if d == node]
        for kind in ('garbage', 'truncated', 'forged', 'stale-key', 'replayed'):
            if kind == 'replayed' and not mine:
                continue
            for _ in range(per_kind):
                p = rnd.choice(captured)[1]
                if kind == 'garbage':
                    d = os.urandom(rnd.randint(1, 1400))
                elif kind == 'truncated':
                    d = p[:rnd.randint(1, len(p) - 1)]
                elif kind == 'forged':
                    d = p[:-16] + os.urandom(16)
                elif kind == 'stale-key':
                    d = p[:-16] + hmac.new(stale_key, p[:-16], hashlib.sha256).digest()[:16]
                else:
                    d = rnd.choice(mine)
                plan.append((node, kind, d))
    rnd.shuffle(plan)
    sent = {}
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.monotonic()
    for i, (node, kind, d) in enumerate(plan):
        due = start + i / rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        s.sendto(d, (node, 7946))
        sent[(kind, node)] = sent.get((kind, node), 0) + 1
    for (kind, node), n in sorted(sent.items()):
        print('membership_flood_sent{kind="%s",node="%s"}: %d' % (kind, node, n))
    print('membership_flood_seconds: %.1f' % (time.monotonic() - start))

main()
