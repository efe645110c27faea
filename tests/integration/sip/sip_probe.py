#!/usr/bin/env python3
"""Sends SIP messages to a node on loopback and prints what comes back.

Standard library only. Every wait is bounded. Subcommands:

  send     one request (OPTIONS, FOO, ...) over UDP or TCP; prints the status
           line of the reply, or NO-REPLY after the timeout; --show NAME also
           prints that header of the reply.
  torture  every RFC 4475 / RFC 5118 torture message of --dir, each checked
           against what its RFC section expects (TORTURE below); prints one
           line per message and a summary; exit status 1 on any mismatch.
  oversize one message of --size bytes over TCP; prints CLOSED (the node
           closed the connection) or OPEN, and any status line received.
  garbage  --count random datagrams; prints how many were sent.

Replies go where RFC 3261 §18.2.2 says: to the source address (received=)
and the port of the top Via (5060 when it names none) unless the request
asks for rport. The torture messages are sent byte for byte, so each UDP
datagram leaves from the port its Via names, on an address of its own in
127.0.0.0/8 (never 127.0.0.1, where the node and other tests live), and the
reply comes back to the same socket.
"""

import argparse
import os
import random
import re
import select
import socket
import sys
import threading
import time

NODE = "127.0.0.1"
TIMEOUT = 2.0  # seconds to wait for a final reply
LINGER = 0.05  # seconds to wait for more replies after a final one (UDP)

# ---------------------------------------------------------------------------
# What each torture message must get, by the text of its RFC section.
#
# Outcome tokens:
#   "drop"   no reply at all
#   "NNN"    exactly that status code
#   "Nxx"    any status of that class
#   "valid"  one final reply that is neither 400 nor 5xx: the message was
#            taken as well-formed (403 for a REGISTER to a domain the node
#            does not serve, 405 for a method it does not route, 200 for
#            OPTIONS are all fine here)
#   "any"    anything, as long as the node survives
#
# Where the RFC lets an element either reject a message with 400 or be
# liberal and process it, the entry is ["400", "valid"]. Where RFC 3261
# §8.2.1 makes a 405 come first (the node does not route INVITE, and method
# inspection precedes header and body inspection), 405 is listed beside the
# status the RFC names. tests/unit/sip/sip_parse_test.cpp checks the parser
# alone against the same corpus; these are the answers on the wire.
# ---------------------------------------------------------------------------
TORTURE = {
    "rfc4475": {
        # §3.1.1 valid messages: parsers must accept them.
        "wsinv.dat": ("3.1.1.1", ["valid"], ""),
        "intmeth.dat": ("3.1.1.2", ["any"],
                        "known gap: Debian's sofia-sip cannot parse it"),
        "esc01.dat": ("3.1.1.3", ["valid"], ""),
        "escnull.dat": ("3.1.1.4", ["valid"], ""),
        "esc02.dat": ("3.1.1.5", ["405", "501"], "unknown method RE%47IST%45R"),
        "lwsdisp.dat": ("3.1.1.6", ["valid"], ""),
        "longreq.dat": ("3.1.1.7", ["valid"], ""),
        "dblreq.dat": ("3.1.1.8", ["valid"],
                       "one answer: the INVITE after the REGISTER is ignored"),
        "semiuri.dat": ("3.1.1.9", ["valid"], ""),
        "transports.dat": ("3.1.1.10", ["valid"], ""),
        "mpart01.dat": ("3.1.1.11", ["valid"], ""),
        "unreason.dat": ("3.1.1.12", ["drop"], "a stray response"),
        "noreason.dat": ("3.1.1.13", ["drop"], "a stray response"),
        # §3.1.2 invalid messages.
        "badinv01.dat": ("3.1.2.1", ["400", "drop"],
                         "drop: its only Via is the malformed header, so there "
                         "is nowhere to send an answer"),
        "clerr.dat": ("3.1.2.2", ["400"], ""),
        "ncl.dat": ("3.1.2.3", ["400"], ""),
        "scalar02.dat": ("3.1.2.4", ["400"], ""),
        "scalarlg.dat": ("3.1.2.5", ["drop"], "a response: discarded"),
        "quotbal.dat": ("3.1.2.6", ["400", "valid"], ""),
        "ltgtruri.dat": ("3.1.2.7", ["400", "valid"], ""),
        "lwsruri.dat": ("3.1.2.8", ["400", "valid", "drop"],
                        "known gap: sofia's transport discards it as "
                        "garbage before the edge sees it"),
        "lwsstart.dat": ("3.1.2.9", ["400", "valid"], ""),
        "trws.dat": ("3.1.2.10", ["400", "valid"], ""),
        "escruri.dat": ("3.1.2.11", ["400", "valid"], ""),
        "baddate.dat": ("3.1.2.12", ["400", "valid"], ""),
        "regbadct.dat": ("3.1.2.13", ["400", "valid"], ""),
        "badaspec.dat": ("3.1.2.14", ["400", "valid"], ""),
        "baddn.dat": ("3.1.2.15", ["400", "valid"], ""),
        "badvers.dat": ("3.1.2.16", ["505", "drop"],
                        "dropped on UDP on purpose: answering a SIP/7.0 Via "
                        "would make sofia resolve its host on the SIP "
                        "thread; 505 on TCP"),
        "mismatch01.dat": ("3.1.2.17", ["400"], ""),
        "mismatch02.dat": ("3.1.2.18", ["400", "501"], ""),
        "bigcode.dat": ("3.1.2.19", ["drop"], "a response: discarded"),
        # §3.2 transaction layer.
        "badbranch.dat": ("3.2.1", ["400", "valid"], ""),
        # §3.3 application layer.
        "insuf.dat": ("3.3.1", ["400"], ""),
        "unkscm.dat": ("3.3.2", ["416"], ""),
        "novelsc.dat": ("3.3.3", ["416", "404"], ""),
        "unksm2.dat": ("3.3.4", ["400"], "a registrar answers 400"),
        "bext01.dat": ("3.3.5", ["420"],
                       "Via TLS sent as TCP (no TLS listener in the test)"),
        "invut.dat": ("3.3.6", ["415", "405"], ""),
        "regaut01.dat": ("3.3.7", ["valid"], ""),
        "multi01.dat": ("3.3.8", ["400"], ""),
        "mcl01.dat": ("3.3.9", ["400"], ""),
        "bcast.dat": ("3.3.10", ["drop"], "a stray response"),
        "zeromf.dat": ("3.3.11", ["2xx", "483"], ""),
        "cparam01.dat": ("3.3.12", ["valid"], ""),
        "cparam02.dat": ("3.3.13", ["valid"], ""),
        "regescrt.dat": ("3.3.14", ["valid"], ""),
        "sdp01.dat": ("3.3.15", ["406", "405"], ""),
        # §3.4 backward compatibility.
        "inv2543.dat": ("3.4.1", ["valid"], ""),
        # Not referenced by any section (see the corpus README).
        "test.dat": ("-", ["any"], "not referenced by the RFC"),
    },
    # RFC 5118: every message is valid but §4.2's.
    "rfc5118": {
        "ipv6-good": ("4.1", ["valid"], ""),
        "ipv6-bad": ("4.2", ["400", "drop"],
                     "known gap: sofia's transport discards it as garbage "
                     "before the edge sees it"),
        "port-ambiguous": ("4.3", ["valid"], ""),
        "port-unambiguous": ("4.4", ["valid"], ""),
        "via-received-param-with-delim": ("4.5", ["valid"], ""),
        "via-received-param-no-delim": ("4.5", ["valid"], ""),
        "ipv6-in-sdp": ("4.6", ["valid"], ""),
        "mult-ip-in-header": ("4.7", ["valid"], ""),
        "mult-ip-in-sdp": ("4.8", ["valid"], ""),
        "ipv4-mapped-ipv6": ("4.9", ["valid"], ""),
        "ipv6-bug-abnf-3-colons": ("4.10", ["valid"], ""),
        "ipv6-correct-abnf-2-colons": ("4.10", ["valid"], ""),
    },
}

# Valid requests are sent a second time over TCP (their top Via rewritten to
# TCP so the answer comes back on the connection), except:
TCP_SKIP = {
    # Two requests in one datagram; on a stream they are two messages.
    "dblreq.dat",
}
# ... and where a stream changes what is right:
TCP_EXPECT = {
    # No Content-Length: a stream cannot be framed without one (RFC 3261
    # §18.3, §20.14), so the message is invalid there.
    "inv2543.dat": ["400", "drop"],
}


def matches(outcome, token):
    """outcome: None (no reply) or an int status."""
    if token == "any":
        return True
    if token == "drop":
        return outcome is None
    if outcome is None:
        return False
    if token == "valid":
        return outcome != 400 and not 500 <= outcome <= 599
    if token.endswith("xx"):
        return outcome // 100 == int(token[0])
    return outcome == int(token)


# ---------------------------------------------------------------------------
# Sockets
# ---------------------------------------------------------------------------
_used_sources = set()
_source_lock = threading.Lock()


def fresh_source():
    """An address in 127.0.0.0/8 used by nothing else in this run."""
    with _source_lock:
        while True:
            ip = "127.%d.%d.%d" % (random.randint(1, 254), random.randint(0, 255),
                                   random.randint(2, 254))
            if ip not in _used_sources:
                _used_sources.add(ip)
                return ip


def status_of(msg):
    m = re.match(rb"SIP/2\.0 (\d{3})", msg)
    return int(m.group(1)) if m else None


def first_line(msg):
    return msg.split(b"\r\n", 1)[0].decode("latin-1")


def header_of(msg, name):
    head = msg.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        if ":" in line and line.split(":", 1)[0].strip().lower() == name.lower():
            return line.split(":", 1)[1].strip()
    return None


def udp_exchange(data, port, src_port=0, timeout=TIMEOUT, linger=LINGER):
    """Sends one datagram from a fresh loopback address and collects replies."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((fresh_source(), src_port))
        s.sendto(data, (NODE, port))
        replies = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            d, _ = s.recvfrom(131072)
            replies.append(d)
            if (status_of(d) or 200) >= 200:
                deadline = min(deadline, time.monotonic() + linger)
        return replies
    finally:
        s.close()


def split_stream(buf):
    """Complete messages at the front of a byte stream, and the rest."""
    out = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return out, buf
        cl = header_of(buf[:end + 4], "Content-Length") or \
            header_of(buf[:end + 4], "l")
        n = int(cl) if cl and cl.isdigit() else 0
        if len(buf) < end + 4 + n:
            return out, buf
        out.append(buf[:end + 4 + n])
        buf = buf[end + 4 + n:]


def tcp_exchange(data, port, timeout=TIMEOUT, linger=0.0):
    """Sends bytes on a new connection; returns (replies, closed_by_node)."""
    s = socket.create_connection((NODE, port), timeout=timeout)
    try:
        closed = False
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            return [], True
        buf, replies = b"", []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            try:
                d = s.recv(131072)
            except ConnectionResetError:
                closed = True
                break
            if not d:
                closed = True
                break
            buf += d
            done, buf = split_stream(buf)
            replies += done
            if any((status_of(r) or 200) >= 200 for r in done):
                deadline = min(deadline, time.monotonic() + linger)
        return replies, closed
    finally:
        s.close()


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------
VIA_RE = re.compile(
    rb"^(?:Via|v)[ \t]*:\s*SIP\s*/\s*([0-9.]+)\s*/\s*([A-Za-z]+)\s+"
    rb"(\[[^\]]*\]|[^\s;:,]+)(?:\s*:\s*(\d+))?",
    re.I | re.M)


def top_via(msg):
    """(transport, port, match) of the first Via in the header section."""
    head = msg.split(b"\r\n\r\n", 1)[0]
    m = VIA_RE.search(head)
    if not m:
        return "UDP", 5060, None
    transport = m.group(2).decode().upper()
    default = 5061 if transport == "TLS" else 5060
    return transport, int(m.group(4) or default), m


def with_via_transport(msg, transport):
    _, _, m = top_via(msg)
    if not m:
        return msg
    return msg[:m.start(2)] + transport.encode() + msg[m.end(2):]


def wire_5118(raw):
    """RFC 5118's files as they go on the wire: CRLF line ends, a header
    section that ends, and a Content-Length that counts the body. The archive
    has bare LF, two files without the blank line and three Content-Length
    values that fit no line-ending convention (corpus README); none of that
    is what the sections test."""
    text = raw.replace(b"\r\n", b"\n")
    head, sep, body = text.partition(b"\n\n")
    if not sep:
        head, body = text.rstrip(b"\n"), b""
    body = body.replace(b"\n", b"\r\n")
    lines = head.split(b"\n")
    lines = [re.sub(rb"^(Content-Length|l)[ \t]*:.*$",
                    b"Content-Length: " + str(len(body)).encode(), ln,
                    flags=re.I) for ln in lines]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def build_request(method, transport, src_ip, src_port, ruri=None, extra=()):
    branch = "z9hG4bK-probe-%016x" % random.getrandbits(64)
    tag = "%08x" % random.getrandbits(32)
    ruri = ruri or "sip:probe@127.0.0.1"
    lines = [
        "%s %s SIP/2.0" % (method, ruri),
        "Via: SIP/2.0/%s %s:%d;branch=%s;rport" % (transport, src_ip, src_port,
                                                   branch),
        "Max-Forwards: 70",
        "From: <sip:probe@example.invalid>;tag=%s" % tag,
        "To: <sip:probe@example.invalid>",
        "Call-ID: probe-%016x@%s" % (random.getrandbits(64), src_ip),
        "CSeq: 1 %s" % method,
        "User-Agent: sip_probe",
    ]
    lines += list(extra)
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# ---------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------
def cmd_send(a):
    if a.tcp:
        s = socket.create_connection((NODE, a.port), timeout=a.timeout)
        ip, port = s.getsockname()
        msg = build_request(a.method, "TCP", ip, port, a.ruri)
        try:
            s.sendall(msg)
            buf, deadline, replies = b"", time.monotonic() + a.timeout, []
            while not replies and time.monotonic() < deadline:
                r, _, _ = select.select([s], [], [],
                                        max(0, deadline - time.monotonic()))
                if not r:
                    break
                d = s.recv(131072)
                if not d:
                    break
                buf += d
                replies, buf = split_stream(buf)
        finally:
            s.close()
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((fresh_source(), 0))
        ip, port = s.getsockname()
        s.close()
        msg = build_request(a.method, "UDP", ip, port, a.ruri)
        _used_sources.discard(ip)
        replies = udp_exchange_from(msg, a.port, ip, port, a.timeout)
    if not replies:
        print("NO-REPLY")
        return 0
    print(first_line(replies[0]))
    for name in a.show or []:
        v = header_of(replies[0], name)
        print("%s: %s" % (name, v) if v is not None else "%s: <none>" % name)
    return 0


def udp_exchange_from(msg, port, ip, src_port, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ip, src_port))
        s.sendto(msg, (NODE, port))
        r, _, _ = select.select([s], [], [], timeout)
        return [s.recvfrom(131072)[0]] if r else []
    finally:
        s.close()


class Case:
    def __init__(self, group, name, data, transport, via_port, allowed, section,
                 note):
        self.group, self.name, self.data = group, name, data
        self.transport, self.via_port = transport, via_port
        self.allowed, self.section, self.note = allowed, section, note
        self.replies, self.closed = None, False
        # dblreq: wait long enough to see an answer to its second request.
        self.linger = 0.5 if name == "dblreq.dat" else None
        # A Via of another SIP version (badvers) makes sofia resolve its
        # sent-by host to answer, blocking the edge thread meanwhile: such
        # messages go last, so a slow resolver cannot delay the others.
        _, _, m = top_via(data)
        self.late = bool(m) and m.group(1) != b"2.0"

    def run(self, port):
        if self.transport == "TCP":
            self.replies, self.closed = tcp_exchange(self.data, port,
                                                     linger=self.linger or 0.0)
        else:
            # rport asked for: the answer goes to the source port anyway.
            self.replies = udp_exchange(self.data, port, self.via_port,
                                        linger=self.linger or LINGER)

    def finals(self):
        return [r for r in self.replies if (status_of(r) or 0) >= 200 or
                status_of(r) is None]

    def verdict(self):
        """(ok, what was got as text)."""
        finals = self.finals()
        got = "NO-REPLY" if not finals else \
            " + ".join(first_line(r) for r in finals)
        if self.closed and not finals:
            got += " (connection closed)"
        if len(finals) > 1:
            return "any" in self.allowed, got
        outcome = status_of(finals[0]) if finals else None
        if finals and outcome is None:
            return "any" in self.allowed, got
        return any(matches(outcome, t) for t in self.allowed), got


def load_cases(directory, tcp_valid):
    cases, unknown = [], []
    for group in ("rfc4475", "rfc5118"):
        gdir = os.path.join(directory, group)
        if not os.path.isdir(gdir):
            raise SystemExit("sip_probe: no %s in %s" % (group, directory))
        table = TORTURE[group]
        for name in sorted(os.listdir(gdir)):
            path = os.path.join(gdir, name)
            if not os.path.isfile(path):
                continue
            if name not in table:
                unknown.append("%s/%s" % (group, name))
                continue
            section, allowed, note = table[name]
            with open(path, "rb") as f:
                raw = f.read()
            data = wire_5118(raw) if group == "rfc5118" else raw
            transport, via_port, _ = top_via(data)
            if transport == "TLS":
                data = with_via_transport(data, "TCP")
                transport = "TCP"
            elif transport != "TCP":
                transport = "UDP"
            cases.append(Case(group, name, data, transport, via_port, allowed,
                              section, note))
            is_request = not data.startswith(b"SIP/")
            valid = not {"400", "505", "drop", "any"} & set(allowed)
            if (tcp_valid and transport == "UDP" and is_request and valid and
                    name not in TCP_SKIP):
                cases.append(Case(group, name, with_via_transport(data, "TCP"),
                                  "TCP", via_port,
                                  TCP_EXPECT.get(name, allowed), section,
                                  note))
    for name in TORTURE["rfc4475"]:
        if not os.path.exists(os.path.join(directory, "rfc4475", name)):
            unknown.append("rfc4475/%s (in the table, not on disk)" % name)
    return cases, unknown


def cmd_torture(a):
    cases, unknown = load_cases(a.dir, a.tcp_valid)
    started = time.monotonic()
    # Messages that may go unanswered are sent together, each from its own
    # address, so their timeouts overlap; the rest one after the other (a
    # later REGISTER may share a transaction with an earlier one, and must
    # find it answered).
    late = [c for c in cases if c.late]
    quiet = [c for c in cases if c not in late and
             ("drop" in c.allowed or "any" in c.allowed)]
    loud = [c for c in cases if c not in late and c not in quiet]
    threads = [threading.Thread(target=c.run, args=(a.port,)) for c in quiet]
    for t in threads:
        t.start()
    for c in loud:
        c.run(a.port)
    for t in threads:
        t.join(TIMEOUT * 3)
    for c in late:
        c.run(a.port)
    bad = []
    for c in cases:
        ok, got = c.verdict()
        line = "%-4s %-10s %-16s %s/%s -> %s" % (
            "ok" if ok else "BAD", "§" + c.section, "[" + "|".join(c.allowed) + "]",
            c.group, c.name + (" (tcp)" if c.transport == "TCP" else ""), got)
        print(line)
        if not ok:
            bad.append("%s/%s over %s (RFC %s §%s): expected %s, got %s%s" % (
                c.group, c.name, c.transport,
                "4475" if c.group == "rfc4475" else "5118", c.section,
                " or ".join(c.allowed), got,
                (" [" + c.note + "]") if c.note else ""))
    for u in unknown:
        bad.append("%s: no expectation in the table" % u)
    udp = sum(1 for c in cases if c.transport == "UDP")
    print("torture: %d messages (%d UDP, %d TCP), %d as expected, %d mismatches, "
          "%.1f s" % (len(cases), udp, len(cases) - udp,
                      len(cases) - len(bad) + len(unknown), len(bad),
                      time.monotonic() - started))
    for b in bad:
        print("MISMATCH " + b)
    return 1 if bad else 0


def cmd_oversize(a):
    body = b"x" * a.size
    msg = build_request("OPTIONS", "TCP", "127.0.0.1", 5060) \
        .replace(b"Content-Length: 0", b"Content-Length: %d" % len(body)) + body
    replies, closed = tcp_exchange(msg, a.port, timeout=a.timeout, linger=0.5)
    text = "CLOSED" if closed else "OPEN"
    if replies:
        text += " " + first_line(replies[0])
    print(text)
    return 0


def cmd_garbage(a):
    rnd = random.Random(a.seed)
    prefixes = [b"", b"INVITE sip:", b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n",
                b"SIP/2.0 ", b"REGISTER sip:example.com SIP/2.0\r\nVia: ",
                b"\r\n\r\n", b"\x00"]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((fresh_source(), 0))
    sent = 0
    for i in range(a.count):
        n = rnd.choice([1, 2, 16, 200, 1400, rnd.randint(1, 8000)])
        junk = rnd.choice(prefixes) + rnd.randbytes(n)
        s.sendto(junk, (NODE, a.port))
        sent += 1
        if i % 50 == 49:
            time.sleep(0.01)
    s.close()
    print("sent %d" % sent)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--tcp", action="store_true")
    s.add_argument("--method", default="OPTIONS")
    s.add_argument("--ruri")
    s.add_argument("--show", action="append", help="print this header too")
    s.add_argument("--timeout", type=float, default=TIMEOUT)
    t = sub.add_parser("torture")
    t.add_argument("--port", type=int, required=True)
    t.add_argument("--dir", required=True)
    t.add_argument("--tcp-valid", action="store_true",
                   help="send the valid requests over TCP too")
    o = sub.add_parser("oversize")
    o.add_argument("--port", type=int, required=True)
    o.add_argument("--size", type=int, default=70000)
    o.add_argument("--timeout", type=float, default=5.0)
    g = sub.add_parser("garbage")
    g.add_argument("--port", type=int, required=True)
    g.add_argument("--count", type=int, default=200)
    g.add_argument("--seed", type=int, default=4475)
    a = p.parse_args()
    return {"send": cmd_send, "torture": cmd_torture, "oversize": cmd_oversize,
            "garbage": cmd_garbage}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
