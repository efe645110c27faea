#!/usr/bin/env python3
"""Provision the REGISTER benchmark's subscribers through the REST API.

    provision.py --port MGMT_PORT --users users.csv [--threads 4]
                 [--auth administrator:administrator] [--host 127.0.0.1]

users.csv holds "username,domain,password" lines (shared/bench/gen-users.sh).
Creates every domain named in the file (reseller 1), one customer contact,
one customer (billing profile 1), then one subscriber per line, POSTed by
--threads threads over keep-alive HTTPS connections (certificate not
verified: the node's self-signed one). Prints subscribers/s; exits 1 when a
subscriber could not be created.  Python 3 standard library only.
"""
import argparse
import base64
import http.client
import json
import ssl
import sys
import threading
import time


class Api:
    def __init__(self, host, port, auth):
        self.host, self.port = host, port
        self.ctx = ssl._create_unverified_context()
        self.hdr = {
            "Authorization": "Basic " + base64.b64encode(auth.encode()).decode(),
            "Content-Type": "application/json",
            "Connection": "keep-alive",
        }
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        for attempt in (0, 1):
            if self.conn is None:
                self._connect()
            try:
                self.conn.request(method, path, body=data, headers=self.hdr)
                r = self.conn.getresponse()
                payload = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, r.getheader("Location", ""), payload
            except (http.client.HTTPException, OSError):
                # the server closed the keep-alive connection: reconnect once
                try:
                    self.conn.close()
                except Exception:
                    pass
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def create(self, collection, body):
        status, loc, payload = self.request("POST", f"/api/{collection}/", body)
        if status != 201:
            raise RuntimeError(f"POST /api/{collection}/ -> {status} {payload[:300]!r}")
        return int(loc.rstrip("/").rsplit("/", 1)[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--auth", default="administrator:administrator")
    a = ap.parse_args()

    users = []
    with open(a.users) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            u, d, p = line.split(",")[:3]
            users.append((u, d, p))
    if not users:
        sys.exit("provision: no users in " + a.users)

    api = Api(a.host, a.port, a.auth)
    for d in sorted({d for _, d, _ in users}):
        api.create("domains", {"domain": d, "reseller_id": 1})
    contact = api.create("customercontacts", {"reseller_id": 1, "firstname": "Bench",
                                              "lastname": "Register", "email": "bench@example.org"})
    customer = api.create("customers", {"contact_id": contact, "status": "active",
                                        "type": "sipaccount", "billing_profile_id": 1,
                                        "external_id": "bench-register"})

    errors, lock = [], threading.Lock()
    done = [0]

    def worker(idx):
        w = Api(a.host, a.port, a.auth)
        for u, d, p in users[idx::a.threads]:
            try:
                w.create("subscribers", {"customer_id": customer, "domain": d,
                                         "username": u, "password": p, "status": "active"})
                with lock:
                    done[0] += 1
            except Exception as e:  # noqa: BLE001 - report and go on
                with lock:
                    errors.append(f"{u}: {e}")

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.monotonic() - t0
    print(f"provision: {done[0]}/{len(users)} subscribers in {dt:.1f} s "
          f"({done[0] / dt if dt else 0:.0f} subscribers/s, {a.threads} threads) "
          f"customer_id={customer}")
    for e in errors[:5]:
        print("provision: error " + e, file=sys.stderr)
    if errors:
        print(f"provision: {len(errors)} subscriber(s) failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
