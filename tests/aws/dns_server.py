"""A DNS server on loopback (UDP) for the client's resolver tests: answers A queries for the
names given as NAME=ADDRESS arguments, NXDOMAIN for any other name (RFC 1035 messages).
Prints its port on the first line of stdout; stops when stdin closes.
Usage: python3 dns_server.py dynamo.test=127.0.0.1 ...
"""
import socket
import struct
import sys
import threading


def parse_name(message, offset):
    labels = []
    while message[offset] != 0:
        length = message[offset]
        labels.append(message[offset + 1:offset + 1 + length].decode())
        offset += 1 + length
    return ".".join(labels).lower(), offset + 1


def answer(message, records):
    ident, _flags, _qd, _an, _ns, _ar = struct.unpack("!6H", message[:12])
    name, end = parse_name(message, 12)
    qtype, _qclass = struct.unpack("!2H", message[end:end + 4])
    question = message[12:end + 4]
    address = records.get(name)
    if address is None:
        return struct.pack("!6H", ident, 0x8183, 1, 0, 0, 0) + question  # NXDOMAIN
    if qtype != 1:
        return struct.pack("!6H", ident, 0x8180, 1, 0, 0, 0) + question  # no AAAA data
    record = b"\xc0\x0c" + struct.pack("!2HIH", 1, 1, 30, 4) + socket.inet_aton(address)
    return struct.pack("!6H", ident, 0x8180, 1, 1, 0, 0) + question + record


def main():
    records = dict(argument.lower().split("=", 1) for argument in sys.argv[1:])
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    print(server.getsockname()[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.close()), daemon=True).start()
    while True:
        try:
            message, client = server.recvfrom(512)
        except OSError:
            return
        try:
            server.sendto(answer(message, records), client)
        except (OSError, ValueError, struct.error, IndexError):
            continue


if __name__ == "__main__":
    main()
