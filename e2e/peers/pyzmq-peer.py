#!/usr/bin/env python3
"""A pyzmq peer for Monocoque's interop tests (Debian's python3-zmq, system libzmq).

Speaks the same newline-delimited JSON protocol as zmq-peer.mjs (see there). Differences:
commands are handled strictly one at a time (a blocking send/receive holds up the next
command), and option names are the zeromq.js ones mapped to libzmq constants (an
upper-case libzmq name such as "ROUTER_MANDATORY" works too). Debian's python3-zmq links
the system libzmq, which may be older than the 4.3.5 the npm peer bundles.

Security: the zeromq.js option names curveServer, curvePublicKey, curveSecretKey,
curveServerKey, plainServer, plainUsername, plainPassword, zapDomain, zapEnforceDomain and
handshakeInterval map to CURVE_SERVER, CURVE_PUBLICKEY, ... HANDSHAKE_IVL. The ops
curveKeyPair, zap and zapRequests behave as in zmq-peer.mjs; the ZAP handler runs in a
thread of its own with a ROUTER at inproc://zeromq.zap.01 in this process's shared context.

Monitor events carry libzmq's raw event value as "value"; the handshake failures also get
an "error" shaped like zeromq.js's: {status} for handshake:error:auth (the ZAP status code),
{code: "ERR_ZMTP_..."/"ERR_ZAP_..."} for handshake:error:protocol, {code: errno name, errno}
for handshake:error:other and the other *:error events.
"""
import base64
import errno
import json
import struct
import sys
import threading
import time

def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

try:
    import zmq
    import zmq.utils.z85
except Exception as exc:  # pragma: no cover - reported to the test
    out({"event": "fatal", "error": "cannot import zmq (python3-zmq): %r" % (exc,)})
    sys.exit(1)

TYPES = {
    "PAIR": zmq.PAIR, "PUB": zmq.PUB, "SUB": zmq.SUB, "REQ": zmq.REQ, "REP": zmq.REP,
    "DEALER": zmq.DEALER, "ROUTER": zmq.ROUTER, "PULL": zmq.PULL, "PUSH": zmq.PUSH,
    "XPUB": zmq.XPUB, "XSUB": zmq.XSUB, "STREAM": zmq.STREAM,
}

OPTIONS = {
    "routingId": zmq.ROUTING_ID, "linger": zmq.LINGER, "mandatory": zmq.ROUTER_MANDATORY,
    "handover": zmq.ROUTER_HANDOVER, "immediate": zmq.IMMEDIATE, "ipv6": zmq.IPV6,
    "sendHighWaterMark": zmq.SNDHWM, "receiveHighWaterMark": zmq.RCVHWM,
    "maxMessageSize": zmq.MAXMSGSIZE, "reconnectInterval": zmq.RECONNECT_IVL,
    "sendTimeout": zmq.SNDTIMEO, "receiveTimeout": zmq.RCVTIMEO,
    "probeRouter": zmq.PROBE_ROUTER, "conflate": zmq.CONFLATE,
    "verbose": zmq.XPUB_VERBOSE, "correlate": zmq.REQ_CORRELATE, "relaxed": zmq.REQ_RELAXED,
    "curveServer": zmq.CURVE_SERVER, "curvePublicKey": zmq.CURVE_PUBLICKEY,
    "curveSecretKey": zmq.CURVE_SECRETKEY, "curveServerKey": zmq.CURVE_SERVERKEY,
    "plainServer": zmq.PLAIN_SERVER, "plainUsername": zmq.PLAIN_USERNAME,
    "plainPassword": zmq.PLAIN_PASSWORD, "zapDomain": zmq.ZAP_DOMAIN,
    "handshakeInterval": zmq.HANDSHAKE_IVL,
}
if hasattr(zmq, "ZAP_ENFORCE_DOMAIN"):
    OPTIONS["zapEnforceDomain"] = zmq.ZAP_ENFORCE_DOMAIN

# ZMQ_PROTOCOL_ERROR_* value -> zeromq.js error code ("ERR_ZMTP_MECHANISM_MISMATCH", ...)
PROTOCOL_ERRORS = {getattr(zmq, n): "ERR_" + n[len("PROTOCOL_ERROR_"):]
                   for n in dir(zmq) if n.startswith("PROTOCOL_ERROR_")}

EVENTS = {
    zmq.EVENT_CONNECTED: "connect", zmq.EVENT_CONNECT_DELAYED: "connect:delay",
    zmq.EVENT_CONNECT_RETRIED: "connect:retry", zmq.EVENT_LISTENING: "bind",
    zmq.EVENT_BIND_FAILED: "bind:error", zmq.EVENT_ACCEPTED: "accept",
    zmq.EVENT_ACCEPT_FAILED: "accept:error", zmq.EVENT_CLOSED: "close",
    zmq.EVENT_CLOSE_FAILED: "close:error", zmq.EVENT_DISCONNECTED: "disconnect",
    zmq.EVENT_MONITOR_STOPPED: "end",
}
for name, label in (("EVENT_HANDSHAKE_SUCCEEDED", "handshake"),
                    ("EVENT_HANDSHAKE_FAILED_PROTOCOL", "handshake:error:protocol"),
                    ("EVENT_HANDSHAKE_FAILED_AUTH", "handshake:error:auth"),
                    ("EVENT_HANDSHAKE_FAILED_NO_DETAIL", "handshake:error:other")):
    if hasattr(zmq, name):
        EVENTS[getattr(zmq, name)] = label

ctx = zmq.Context.instance()
sockets = {}  # handle -> dict(sock, type, monitor, events)
next_handle = [1]


class PeerFail(Exception):
    def __init__(self, message, code=None):
        Exception.__init__(self, message)
        self.code = code


def decode_value(v):
    if isinstance(v, dict) and isinstance(v.get("$b64"), str):
        return base64.b64decode(v["$b64"])
    if isinstance(v, list):
        return [decode_value(x) for x in v]
    return v


def encode_value(v):
    if isinstance(v, (bytes, bytearray)):
        return {"$b64": base64.b64encode(bytes(v)).decode()}
    return v


def option_id(name):
    if name in OPTIONS:
        return OPTIONS[name]
    if name.isupper() and hasattr(zmq, name):
        return getattr(zmq, name)
    raise PeerFail("unknown option %s" % name, "EINVAL")


def set_option(sock, name, value):
    value = decode_value(value)
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, str):
        value = value.encode()
    sock.setsockopt(option_id(name), value)


def entry(handle):
    e = sockets.get(handle)
    if e is None:
        raise PeerFail("no socket with handle %s" % handle, "EBADF")
    return e


def event_record(frames):
    """One monitor message (16-bit event id + 32-bit value, then the endpoint) as a peer event."""
    if len(frames) != 2 or len(frames[0]) != 6:
        return {"type": "unknown", "address": None}
    event_id, value = struct.unpack("=HI", frames[0])
    label = EVENTS.get(event_id, "unknown:%s" % event_id)
    rec = {"type": label, "address": frames[1].decode(errors="replace"), "value": value}
    if label == "handshake:error:auth":
        rec["error"] = {"message": "Authentication failure", "code": None, "status": value}
    elif label == "handshake:error:protocol":
        code = PROTOCOL_ERRORS.get(value, "ERR_UNKNOWN")
        rec["error"] = {"message": code, "code": code}
    elif label.endswith(":error") or label == "handshake:error:other":
        rec["error"] = {"message": errno.errorcode.get(value, str(value)), "code": errno.errorcode.get(value),
                        "errno": value}
    elif label == "connect:retry":
        rec["interval"] = value
    return rec


def drain_monitor(e, timeout_ms=0):
    mon = e["monitor"]
    if mon is None:
        return
    if mon.poll(timeout_ms):
        while True:
            try:
                frames = mon.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            e["events"].append(event_record(frames))


# ---- ZAP handler (RFC 27), in a thread of its own ----

def encode_metadata(meta):
    out = b""
    for name, value in (meta or {}).items():
        n, v = name.encode(), str(value).encode()
        out += bytes([len(n)]) + n + struct.pack(">I", len(v)) + v
    return out


def zap_answer(frames, rules):
    address = frames[3].decode(errors="replace")
    mechanism = frames[5].decode(errors="replace")
    creds = frames[6:]
    if rules.get("status"):
        return str(rules["status"]), "forced by test", b"", b""
    if rules.get("denyAddresses") is not None and address in rules["denyAddresses"]:
        return "400", "address denied", b"", b""
    if rules.get("allowAddresses") is not None and address not in rules["allowAddresses"]:
        return "400", "address not allowed", b"", b""
    user = ""
    if mechanism == "PLAIN":
        user = creds[0].decode(errors="replace") if creds else ""
        password = creds[1].decode(errors="replace") if len(creds) > 1 else ""
        if rules.get("plain") is not None and rules["plain"].get(user) != password:
            return "400", "invalid username or password", b"", b""
    elif mechanism == "CURVE":
        user = zmq.utils.z85.encode(creds[0]).decode() if creds else ""
        if rules.get("curveKeys") is not None and user not in rules["curveKeys"]:
            return "400", "unknown client key", b"", b""
    user_id = rules["userId"] if rules.get("userId") is not None else user
    return "200", "OK", user_id.encode(), encode_metadata(rules.get("metadata"))


class ZapHandler(object):
    def __init__(self):
        self.rules = {}
        self.requests = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.sock = ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.bind("inproc://zeromq.zap.01")
        self.thread = threading.Thread(target=self.run, name="zap", daemon=True)
        self.thread.start()

    def run(self):
        try:
            while not self.stopping.is_set():
                if not self.sock.poll(50, zmq.POLLIN):
                    continue
                msg = self.sock.recv_multipart()
                delim = msg.index(b"") if b"" in msg else -1
                envelope, frames = msg[:delim + 1], msg[delim + 1:]
                with self.lock:
                    self.requests.append([base64.b64encode(f).decode() for f in frames])
                    rules = self.rules
                if len(frames) < 6:
                    continue
                status, text, user_id, metadata = zap_answer(frames, rules)
                self.sock.send_multipart(envelope + [b"1.0", frames[1], status.encode(), text.encode(),
                                                     user_id, metadata])
        finally:
            self.sock.close(0)

    def stop(self):
        self.stopping.set()
        self.thread.join(2)


zap_handler = [None]


def op_socket(req):
    typ = str(req.get("type", "")).upper()
    if typ not in TYPES:
        raise PeerFail("unknown socket type %s" % req.get("type"), "EINVAL")
    sock = ctx.socket(TYPES[typ])
    try:
        for k, v in (req.get("options") or {}).items():
            if k == "subscribe":
                topics = decode_value(v)
                for t in (topics if isinstance(topics, list) else [topics]):
                    sock.setsockopt(zmq.SUBSCRIBE, t.encode() if isinstance(t, str) else t)
            else:
                set_option(sock, k, v)
    except Exception:
        sock.close(0)
        raise
    handle = next_handle[0]
    next_handle[0] += 1
    monitor = None
    try:
        monitor = sock.get_monitor_socket()
    except Exception:
        monitor = None
    sockets[handle] = {"sock": sock, "type": typ, "monitor": monitor, "events": []}
    return {"socket": handle}


def op_receive(e, count, timeout_ms):
    sock = e["sock"]
    deadline = time.monotonic() + timeout_ms / 1000.0
    messages = []
    timed_out = False
    while len(messages) < count:
        remaining = int((deadline - time.monotonic()) * 1000)
        if remaining <= 0:
            timed_out = True
            break
        if not sock.poll(remaining, zmq.POLLIN):
            timed_out = True
            break
        frames = sock.recv_multipart(zmq.NOBLOCK)
        messages.append([base64.b64encode(f).decode() for f in frames])
    return {"messages": messages, "timedOut": timed_out}


def op_send(e, frames, timeout_ms):
    sock = e["sock"]
    msg = [base64.b64decode(f) for f in frames]
    if timeout_ms is not None:
        sock.setsockopt(zmq.SNDTIMEO, max(0, int(timeout_ms)))
    try:
        sock.send_multipart(msg)
    finally:
        if timeout_ms is not None:
            sock.setsockopt(zmq.SNDTIMEO, -1)
    return {}


def handle(req):
    op = req.get("op")
    if op == "ping":
        return {"zmq": zmq.zmq_version()}
    if op == "socket":
        return op_socket(req)
    if op == "curveKeyPair":
        public, secret = zmq.curve_keypair()
        return {"publicKey": public.decode(), "secretKey": secret.decode()}
    if op == "zap":
        if zap_handler[0] is None:
            zap_handler[0] = ZapHandler()
        with zap_handler[0].lock:
            zap_handler[0].rules = req.get("rules") or {}
            if req.get("clear"):
                zap_handler[0].requests = []
        return {}
    if op == "zapRequests":
        h = zap_handler[0]
        if h is None:
            return {"requests": []}
        with h.lock:
            requests = h.requests
            if req.get("clear"):
                h.requests = []
        return {"requests": requests}
    if op == "exit":
        raise SystemExit(0)
    e = entry(req.get("socket"))
    sock = e["sock"]
    if op == "bind":
        sock.bind(req["endpoint"])
        return {"endpoint": sock.getsockopt(zmq.LAST_ENDPOINT).decode()}
    if op == "unbind":
        sock.unbind(req["endpoint"])
        return {}
    if op == "connect":
        opts = decode_value(req.get("options") or {})
        rid = opts.get("routingId")
        if rid is not None:
            sock.setsockopt(zmq.CONNECT_ROUTING_ID, rid.encode() if isinstance(rid, str) else rid)
        sock.connect(req["endpoint"])
        return {}
    if op == "disconnect":
        sock.disconnect(req["endpoint"])
        return {}
    if op == "send":
        return op_send(e, req.get("frames") or [], req.get("timeoutMs"))
    if op == "sendMany":
        import struct
        for i in range(req.get("count", 0)):
            op_send(e, (req.get("frames") or []) + [base64.b64encode(struct.pack(">I", i)).decode()], req.get("timeoutMs"))
        return {"sent": req.get("count", 0)}
    if op == "receive":
        return op_receive(e, req.get("count", 1), req.get("timeoutMs", 5000))
    if op in ("subscribe", "unsubscribe"):
        opt = zmq.SUBSCRIBE if op == "subscribe" else zmq.UNSUBSCRIBE
        for t in req.get("topics") or []:
            sock.setsockopt(opt, base64.b64decode(t))
        return {}
    if op == "setOption":
        set_option(sock, req["name"], req.get("value"))
        return {}
    if op == "getOption":
        return {"value": encode_value(sock.getsockopt(option_id(req["name"])))}
    if op == "events":
        drain_monitor(e)
        return {"events": e["events"]}
    if op == "waitEvent":
        typ = req["type"]
        count = req.get("count", 1)
        deadline = time.monotonic() + req.get("timeoutMs", 5000) / 1000.0
        while True:
            drain_monitor(e)
            matching = [ev for ev in e["events"] if ev["type"] == typ]
            if len(matching) >= count:
                return {"events": matching}
            remaining = int((deadline - time.monotonic()) * 1000)
            if remaining <= 0:
                raise PeerFail("timed out waiting for %d '%s' event(s); seen: %s"
                               % (count, typ, json.dumps(e["events"])), "ETIMEDOUT")
            drain_monitor(e, remaining)
    if op == "close":
        if e["monitor"] is not None:
            sock.disable_monitor()
            e["monitor"].close(0)
        sock.close()
        del sockets[req["socket"]]
        return {}
    raise PeerFail("unknown op %s" % op, "EINVAL")


def shutdown():
    if zap_handler[0] is not None:
        zap_handler[0].stop()
    for e in list(sockets.values()):
        try:
            if e["monitor"] is not None:
                e["monitor"].close(0)
            e["sock"].close(0)
        except Exception:
            pass
    sockets.clear()
    ctx.term()


def main():
    out({"event": "ready", "peer": "pyzmq", "zmq": zmq.zmq_version(), "pid": __import__("os").getpid()})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError as exc:
            out({"id": None, "ok": False, "error": {"message": "bad JSON: %s" % exc, "code": "EINVAL"}})
            continue
        try:
            result = handle(req)
            out({"id": req.get("id"), "ok": True, "result": result or {}})
        except SystemExit:
            out({"id": req.get("id"), "ok": True, "result": {}})
            break
        except zmq.ZMQError as exc:
            code = errno.errorcode.get(exc.errno) or ("EAGAIN" if isinstance(exc, zmq.Again) else None)
            out({"id": req.get("id"), "ok": False, "error": {"message": str(exc), "code": code}})
        except PeerFail as exc:
            out({"id": req.get("id"), "ok": False, "error": {"message": str(exc), "code": exc.code}})
        except Exception as exc:
            out({"id": req.get("id"), "ok": False, "error": {"message": repr(exc), "code": None}})
    shutdown()


if __name__ == "__main__":
    main()
