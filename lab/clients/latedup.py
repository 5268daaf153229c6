#!/usr/bin/python3
"""latedup: a client whose request segment is duplicated and delivered late,
after the connection was closed on both sides.

It records its own request segment as it leaves (an AF_PACKET socket on
--iface), closes actively (FIN; the server answers with its FIN; both are
ACKed: the server's socket is gone after LAST-ACK, the client's in
TIME-WAIT), waits --late seconds and sends that segment again, unchanged but
for its TCP checksum (recomputed: veth leaves it to offload), through a raw
socket: the same 4-tuple, a sequence number the connection really used. The
server's kernel has no socket for it and answers with an RST.

usage: latedup.py --to ADDR:PORT --bind-port N [--iface eth0] [--late S]
Exit 0 when the duplicate was sent; 1 when a step failed (said why).
"""
import argparse
import socket
import struct
import sys
import time

T0 = time.monotonic()
ETH_P_ALL = 0x0003  # outgoing frames reach only ETH_P_ALL taps
PACKET_OUTGOING = 4


def say(msg):
    print("t=%.3f %s" % (time.monotonic() - T0, msg), flush=True)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def with_tcp_checksum(ip):
    ihl = (ip[0] & 0x0F) * 4
    tcp = bytearray(ip[ihl:])
    tcp[16:18] = b"\0\0"
    pseudo = ip[12:20] + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    struct.pack_into("!H", tcp, 16, csum(pseudo + bytes(tcp)))
    return bytes(ip[:ihl]) + bytes(tcp)


def request_segment(sniff, lport, dport, deadline):
    """The first outgoing IPv4 TCP segment lport -> dport with payload."""
    while time.monotonic() < deadline:
        try:
            frame, addr = sniff.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] != PACKET_OUTGOING or len(frame) < 14 + 40:
            continue
        if struct.unpack("!H", frame[12:14])[0] != 0x0800:
            continue
        ip = frame[14:]
        if ip[0] >> 4 != 4 or ip[9] != socket.IPPROTO_TCP:
            continue
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        ip = ip[:total]
        sport, dp = struct.unpack("!HH", ip[ihl:ihl + 4])
        doff = (ip[ihl + 12] >> 4) * 4
        if sport == lport and dp == dport and total > ihl + doff:
            return ip
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--bind-port", type=int, required=True)
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--late", type=float, default=0.5)
    args = ap.parse_args()
    host, port = args.to.rsplit(":", 1)
    port = int(port)
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sniff.bind((args.iface, 0))
    sniff.settimeout(0.2)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", args.bind_port))
    s.settimeout(5)
    s.connect((host, port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: rstscope-lab\r\n\r\n" % host.encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    say("get / -> %s" % (buf.split(b"\r\n", 1)[0].decode("latin-1") or "EOF"))
    seg = request_segment(sniff, args.bind_port, port, time.monotonic() + 2)
    sniff.close()
    if seg is None:
        say("the request segment was not seen leaving %s" % args.iface)
        return 1
    # the active close: FIN, then the server's FIN (read to EOF), then close
    s.shutdown(socket.SHUT_WR)
    try:
        while s.recv(65536):
            pass
        say("close -> FIN sent, server's FIN received")
    except OSError as e:
        say("close -> %s" % e)
        return 1
    s.close()
    time.sleep(args.late)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.sendto(with_tcp_checksum(seg), (host, 0))
    say("late duplicate of the request sent (%d bytes, %.3fs after the close)" % (len(seg), args.late))
    time.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
