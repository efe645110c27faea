#!/usr/bin/env python3
"""Registers a demo subscriber from behind a simulated NAT and waits for
the registrar's keepalive OPTIONS.

The REGISTER's Via names 10.9.9.9:5060 with rport while it really comes
from this socket on 127.0.0.1, so the registrar must record the binding as
NATed and send keepalives to the address the request came from. Digest
(MD5, qop=auth) is computed here. Prints the final status of the REGISTER,
the request line of the first request received, or "NO-KEEPALIVE", and
then "from IP:PORT", where that request came from.

usage: nat_register.py SIP_PORT USER PASSWORD WAIT_SECONDS [HOST [DOMAIN]]
(HOST, where the registrar listens, and DOMAIN default to 127.0.0.1)
"""
import hashlib
import re
import socket
import sys

port, user, password, wait = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                              float(sys.argv[4]))
host = sys.argv[5] if len(sys.argv) > 5 else "127.0.0.1"
domain = sys.argv[6] if len(sys.argv) > 6 else "127.0.0.1"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(3)
local_port = s.getsockname()[1]


def register(cseq, auth=""):
    msg = (f"REGISTER sip:{domain} SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-nat{cseq};rport\r\n"
           f"From: <sip:{user}@{domain}>;tag=nat1\r\n"
           f"To: <sip:{user}@{domain}>\r\n"
           f"Call-ID: nat-{local_port}\r\nCSeq: {cseq} REGISTER\r\n"
           f"Contact: <sip:{user}@10.9.9.9:5060>\r\nExpires: 120\r\n"
           f"Max-Forwards: 70\r\n{auth}Content-Length: 0\r\n\r\n")
    s.sendto(msg.encode(), (host, port))
    return s.recv(65535).decode(errors="replace")


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


challenge = register(1)
nonce = re.search(r'nonce="([^"]+)"', challenge).group(1)
ha1 = md5(f"{user}:{domain}:{password}")
response = md5(f"{ha1}:{nonce}:00000001:c0ffee:auth:"
               f"{md5('REGISTER:sip:' + domain)}")
auth = (f'Authorization: Digest username="{user}", realm="{domain}", '
        f'nonce="{nonce}", uri="sip:{domain}", response="{response}", '
        f'qop=auth, nc=00000001, cnonce="c0ffee", algorithm=MD5\r\n')
print(register(2, auth).split("\r\n")[0])
s.settimeout(wait)
try:
    data, source = s.recvfrom(65535)
    print(data.decode(errors="replace").split("\r\n")[0])
    print(f"from {source[0]}:{source[1]}")
except socket.timeout:
    print("NO-KEEPALIVE")
