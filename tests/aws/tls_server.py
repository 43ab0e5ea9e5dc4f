"""An HTTPS server on loopback for the client's TLS tests: answers every request with a
DynamoDB GetItem answer, keeps connections alive, and survives handshakes the client refuses.
Prints its port on the first line of stdout; stops when stdin closes.
Usage: python3 tls_server.py CERT_FILE KEY_FILE
"""
import socket
import ssl
import sys
import threading

BODY = b'{"Item":{"id":{"S":"over-tls"}}}'


def serve(connection):
    try:
        with connection:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, rest = buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                while len(rest) < length:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    rest += chunk
                buffer = rest[length:]
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                                   b"x-amzn-RequestId: tls\r\nContent-Length: %d\r\n\r\n%s"
                                   % (len(BODY), BODY))
    except (OSError, ssl.SSLError):
        pass


def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), listener.close()), daemon=True).start()
    while True:
        try:
            raw, _ = listener.accept()
        except OSError:
            return
        try:
            connection = context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            continue
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


if __name__ == "__main__":
    main()
