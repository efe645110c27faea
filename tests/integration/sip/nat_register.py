#!/usr/bin/env python3
"""Registers a demo subscriber from behind a simulated NAT and waits for
the registrar's keepalive OPTIONS.

The REGISTER's Via names 10.9.9.9:5060 with rport while it really comes
from this socket on 127.0.0.1, so the registrar must record the binding as
NATed and send keepalives to the address the request came from. Digest
(MD5, qop=auth) is computed here. Prints the final status of the REGISTER
and the request line of the first request received, or "NO-KEEPALIVE".

usage: nat_register.py SIP_PORT USER PASSWORD WAIT_SECONDS
"""
import hashlib
import re
import socket
import sys

port, user, password, wait = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                              float(sys.argv[4]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(3)
local_port = s.getsockname()[1]


def register(cseq, auth=""):
    msg = (f"REGISTER sip:127.0.0.1 SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-nat{cseq};rport\r\n"
           f"From: <sip:{user}@127.0.0.1>;tag=nat1\r\n"
           f"To: <sip:{user}@127.0.0.1>\r\n"
           f"Call-ID: nat-{local_port}\r\nCSeq: {cseq} REGISTER\r\n"
           f"Contact: <sip:{user}@10.9.9.9:5060>\r\nExpires: 120\r\n"
           f"Max-Forwards: 70\r\n{auth}Content-Length: 0\r\n\r\n")
    s.sendto(msg.encode(), ("127.0.0.1", port))
    return s.recv(65535).decode(errors="replace")


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


challenge = register(1)
nonce = re.search(r'nonce="([^"]+)"', challenge).group(1)
ha1 = md5(f"{user}:127.0.0.1:{password}")
response = md5(f"{ha1}:{nonce}:00000001:c0ffee:auth:"
               f"{md5('REGISTER:sip:127.0.0.1')}")
auth = (f'Authorization: Digest username="{user}", realm="127.0.0.1", '
        f'nonce="{nonce}", uri="sip:127.0.0.1", response="{response}", '
        f'qop=auth, nc=00000001, cnonce="c0ffee", algorithm=MD5\r\n')
print(register(2, auth).split("\r\n")[0])
s.settimeout(wait)
try:
    print(s.recv(65535).decode(errors="replace").split("\r\n")[0])
except socket.timeout:
    print("NO-KEEPALIVE")
