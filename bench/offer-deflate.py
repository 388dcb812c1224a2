#!/usr/bin/env python3
"""Opens N idle STOMP connections to a running Parley, each offering permessage-deflate in its
WebSocket handshake as every browser does (the bench's JDK client cannot offer extensions), and
prints how much the server's resident memory grew.

    bench/offer-deflate.py PORT N SERVER_PID [plain]

Each connection claims a nickname, CONNECTs, subscribes to and joins one of 100 rooms; then 100
of them post one message, so that every connection has received compressed frames if the
server compresses. With `plain` the handshake offers no extension (the comparison run). Run the
server with a pre-touched fixed heap (JAVA_OPTS="-Xms512m -Xmx512m -XX:+AlwaysPreTouch") so that
the growth is memory outside the Java heap, where zlib keeps its state, and open a few hundred
connections first to warm the server up.
"""
import base64, json, os, socket, struct, sys, time, urllib.request


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1])


def masked_text(text):
    data = text.encode()
    mask = os.urandom(4)
    length = len(data)
    header = bytes([0x81]) + (bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + struct.pack(">H", length))
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def main():
    port, count, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    offer = not (len(sys.argv) > 4 and sys.argv[4] == "plain")
    prefix = f"d{os.getpid()}x" if offer else f"p{os.getpid()}x"
    before = rss_kb(pid)
    sockets = []
    for i in range(count):
        nickname = f"{prefix}{i}"
        claim = urllib.request.Request(f"http://127.0.0.1:{port}/api/nicknames",
                                       data=json.dumps({"nickname": nickname}).encode(),
                                       headers={"Content-Type": "application/json"})
        token = json.load(urllib.request.urlopen(claim))["token"]
        s = socket.create_connection(("127.0.0.1", port))
        handshake = (f"GET /ws/websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: Upgrade\r\n"
                     f"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                     f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
                     f"Sec-WebSocket-Protocol: v12.stomp\r\n")
        if offer:
            handshake += "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        s.sendall((handshake + "\r\n").encode())
        answer = s.recv(4096)
        if b" 101 " not in answer.split(b"\r\n")[0]:
            sys.exit(f"handshake refused: {answer!r}")
        accepted = b"permessage-deflate" in answer
        s.sendall(masked_text(f"CONNECT\naccept-version:1.2\nhost:localhost\nlogin:{nickname}\n"
                              f"passcode:{token}\nheart-beat:0,0\n\n\0"))
        s.recv(4096)
        room = f"idle{i % 100}"
        s.sendall(masked_text(f"SUBSCRIBE\nid:0\ndestination:/topic/room.{room}\n\n\0"))
        s.sendall(masked_text(f"SEND\ndestination:/app/room.{room}.join\n\n\0"))
        sockets.append(s)
    time.sleep(3)
    for i, s in enumerate(sockets[:100]):
        s.sendall(masked_text(f"SEND\ndestination:/app/room.idle{i % 100}.send\ncontent-type:application/json\n\n"
                              '{"text":"hello everyone in this room, a chat message of ordinary length"}\0'))
    time.sleep(5)
    after = rss_kb(pid)
    print(f"{count} connections, permessage-deflate offered: {offer}, accepted: {accepted}; "
          f"server RSS {before} -> {after} KB: {(after - before) / count:.1f} KB per connection")
    for s in sockets:
        s.close()


if __name__ == "__main__":
    main()
