#!/usr/bin/env python3
"""A Dispatch sidecar client in Python, written from docs/protocol.md alone.

Runs one order through a server on a manual clock (--clock Manual) and checks every answer:
Hello, a site, a courier, an order, ticks until the Assignment push, the pickup, a drop-off confirmation
that cannot be true (refused, naming the field `at`), a failed delivery of an order not yet picked up (refused),
the drop-off, the order's final state.
Exits 0 when every answer is as the document says, 1 (with the mismatch on stderr) otherwise.

    python3 dispatch_client.py --host 127.0.0.1 --port 7420
    python3 dispatch_client.py --port 7420 --tls --ca ca.pem --server-name localhost --token "$DISPATCH_TOKEN"

With --tls it speaks TLS 1.2+ (the server's --tls-cert), trusting --ca (a PEM file; default: the system's roots) and
optionally presenting a client certificate (--cert / --key, PEM). --token sends a bearer token as Hello's sixth field
(the server's --auth-tokens; this sample ticks the clock, so it needs an operator token). See docs/security.md.

Needs the msgpack package (Debian: apt-get install python3-msgpack; elsewhere: pip install msgpack).
"""
import argparse
import math
import socket
import ssl
import struct
import sys

import msgpack

# Message tags (docs/protocol.md, "Messages").
HELLO, ADD_SITE, PLACE_ORDER, COURIER_ON_SHIFT = 1, 10, 11, 14
CONFIRM_PICKUP, CONFIRM_DROPOFF, TICK, GET_ORDER, GET_COUNTS = 17, 18, 19, 30, 32
DELIVERY_FAILED, WRONG_ORDER_DELIVERED, ORDER_CHANGED = 23, 24, 25
ACK, ERROR, HELLO_OK, ORDER_INFO, COUNTS, ASSIGNMENT, PLAN_CHANGE = 64, 65, 66, 68, 70, 80, 81
INVALID_VALUE, INVALID_STATE = 3, 4
CUSTOMER_NOT_FOUND = 1
MANUAL_CLOCK = 1
PICKUP, DROPOFF = 1, 2
DELIVERED = 4


class Mismatch(Exception):
    """An answer that is not what the protocol document says."""


class Connection:
    """Frames: a 4-byte big-endian payload length, then one MessagePack array [type, requestId, ...]."""

    def __init__(self, host, port, tls=None):
        self.sock = socket.create_connection((host, port), timeout=20)
        if tls is not None:
            context, server_name = tls
            self.sock = context.wrap_socket(self.sock, server_hostname=server_name or host)
        self.buf = b""
        self.next_rid = 0
        self.pushes = []

    def send(self, tag, *fields):
        self.next_rid += 1
        payload = msgpack.packb([tag, self.next_rid, *fields], use_bin_type=True)
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)
        return self.next_rid

    def _read_exactly(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Mismatch("the server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_frame(self):
        (length,) = struct.unpack(">I", self._read_exactly(4))
        return msgpack.unpackb(self._read_exactly(length), raw=False, strict_map_key=False)

    def request(self, tag, *fields):
        """Sends a request and returns its reply; pushes (request id 0) that come first are kept in self.pushes."""
        rid = self.send(tag, *fields)
        while True:
            msg = self.read_frame()
            if msg[1] == 0:
                self.pushes.append(msg)
                continue
            if msg[1] != rid:
                raise Mismatch(f"reply to request {msg[1]} while waiting for {rid}: {msg}")
            return msg


def expect(cond, what):
    if not cond:
        raise Mismatch(what)


def expect_ack(reply, what):
    expect(reply[0] == ACK, f"{what}: expected Ack [64, rid, now], got {reply}")
    return reply[2]


def tls_context(ca, cert, key):
    """TLS 1.2 or later, the server's certificate checked against `ca` (or the system's roots) and its name."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert:
        context.load_cert_chain(cert, key)
    return context


def run(host, port, tls=None, token=None):
    c = Connection(host, port, tls)

    # version 1, subscribe to pushes; the token, when there is one, is Hello's optional sixth field
    hello = c.request(HELLO, 1, "python-sample", True, *([token] if token else []))
    expect(hello[0] == HELLO_OK, f"Hello: expected HelloOk, got {hello}")
    _, _, version, _server, clock, now, max_frame = hello
    expect(version == 1, f"HelloOk version {version}")
    expect(clock == MANUAL_CLOCK, "this sample drives the clock: start the server with --clock Manual")
    expect(max_frame > 0, f"HelloOk maxFrameBytes {max_frame}")

    expect_ack(c.request(ADD_SITE, 1, 1000.0, 1000.0), "AddSite")
    expect_ack(c.request(COURIER_ON_SHIFT, 10, 900.0, 1200.0, now, now + 240.0, 4), "CourierOnShift")
    expect_ack(c.request(PLACE_ORDER, 100, 1, 2500.0, 1800.0, now, now + 12.0, 1), "PlaceOrder")

    # Tick minute by minute; an assignment's push arrives before the Ack of the tick that made it.
    assignment = None
    t = now
    while assignment is None:
        expect(t <= now + 60, "no Assignment push within 60 minutes")
        expect_ack(c.request(TICK, float(t)), f"Tick {t}")
        assignment = next((p for p in c.pushes if p[0] == ASSIGNMENT), None)
        if assignment is None:
            t += 1
    _, _, courier, assigned_at, _is_update, stops = assignment
    expect(courier == 10, f"assigned to courier {courier}, expected 10")
    kinds = [(s[0], s[1]) for s in stops]
    expect(kinds == [(PICKUP, 100), (DROPOFF, 100)], f"stops {kinds}")
    pickup, dropoff = stops
    # Stop fields: kind, orderId, siteId, x, y, departure, arrival, serviceAt, leave (engine minutes).
    expect(pickup[2] == 1 and dropoff[2] == -1, f"siteId of the stops {pickup[2]}, {dropoff[2]}")
    expect(pickup[5] <= pickup[6] <= pickup[7] <= pickup[8] <= dropoff[5], f"pickup times out of order: {pickup}")
    expect(dropoff[6] <= dropoff[7] <= dropoff[8], f"drop-off times out of order: {dropoff}")
    expect(pickup[7] >= now + 12.0 - 1e-9, f"pickup at {pickup[7]} before the ready time")

    order = c.request(GET_ORDER, 100)
    expect(order[0] == ORDER_INFO and order[3] == 2 and order[4] == 10, f"GetOrder after the assignment: {order}")

    # A delivery cannot fail at the door before the courier has the food: InvalidState, nothing changes.
    bad = c.request(DELIVERY_FAILED, 100, float(t), CUSTOMER_NOT_FOUND, False, None)
    expect(bad[0] == ERROR and bad[2] == INVALID_STATE, f"a failed delivery of an assigned order must be refused with InvalidState, got {bad}")

    # A confirmation carries the time the courier did it: tick to the planned pickup, confirm at it.
    t_pick = math.ceil(pickup[7])
    expect_ack(c.request(TICK, float(t_pick)), f"Tick {t_pick}")
    expect_ack(c.request(CONFIRM_PICKUP, 100, pickup[7]), "ConfirmPickup at the planned pickup")

    # A drop-off later than the server's now has not happened: InvalidValue naming `at`.
    bad = c.request(CONFIRM_DROPOFF, 100, t_pick + 500.0)
    expect(bad[0] == ERROR and bad[2] == INVALID_VALUE, f"a drop-off in the future must be refused with InvalidValue, got {bad}")
    expect("at=" in bad[3], f"the refusal must name the field at: {bad[3]!r}")
    # A drop-off before its pickup cannot be true either.
    bad = c.request(CONFIRM_DROPOFF, 100, pickup[7] - 1.0)
    expect(bad[0] == ERROR and bad[2] == INVALID_VALUE and "at=" in bad[3], f"a drop-off before the pickup must be refused naming at, got {bad}")

    t_drop = math.ceil(dropoff[7])
    expect_ack(c.request(TICK, float(t_drop)), f"Tick {t_drop}")
    expect_ack(c.request(CONFIRM_DROPOFF, 100, dropoff[7]), "ConfirmDropoff at the planned drop-off")

    order = c.request(GET_ORDER, 100)
    expect(order[0] == ORDER_INFO, f"GetOrder: {order}")
    _, _, oid, status, ocourier, _pp, _pd, picked, delivered = order[:9]
    expect((oid, status, ocourier) == (100, DELIVERED, 10), f"order after the drop-off: {order}")
    expect((picked, delivered) == (pickup[7], dropoff[7]), f"pickedUpAt / deliveredAt {picked}, {delivered}")

    counts = c.request(GET_COUNTS)
    expect(counts[0] == COUNTS and counts[2] == 1 and counts[6] == 1 and counts[8] == 1, f"Counts: {counts}")
    c.sock.close()
    print(f"ok: order 100 assigned at {assigned_at}, picked up at {picked}, delivered at {delivered}; "
          f"bad confirmations refused ({bad[3]})")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7420)
    p.add_argument("--tls", action="store_true", help="speak TLS (the server runs with --tls-cert)")
    p.add_argument("--ca", help="PEM file of the CA the server's certificate must chain to (default: the system's roots)")
    p.add_argument("--server-name", help="the name the server's certificate must carry (default: --host)")
    p.add_argument("--cert", help="client certificate (PEM), for servers that map client certificates to roles")
    p.add_argument("--key", help="the client certificate's private key (PEM)")
    p.add_argument("--token", help="bearer token for Hello (the server runs with --auth-tokens)")
    a = p.parse_args()
    try:
        tls = (tls_context(a.ca, a.cert, a.key), a.server_name) if a.tls else None
        run(a.host, a.port, tls, a.token)
    except (Mismatch, OSError) as e:
        print(f"mismatch: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
