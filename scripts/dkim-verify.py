#!/usr/bin/python3
"""Verifies the DKIM signature of a message with dkimpy (Debian's python3-dkim), an
implementation independent of the one that signed it. The public key is taken from the
TXT record given on the command line instead of DNS, and only for the name given.

    dkim-verify.py MESSAGE_FILE RECORD_NAME "v=DKIM1; k=rsa; p=..."

Exits 0 and prints "pass" when the signature verifies, else prints why and exits 1.
"""
import sys

import dkim


def main():
    path, name, record = sys.argv[1], sys.argv[2], sys.argv[3]
    message = open(path, "rb").read()
    asked = []

    def dns(qname, timeout=5):
        q = qname.decode() if isinstance(qname, bytes) else qname
        asked.append(q)
        return record.encode() if q.rstrip(".") == name.rstrip(".") else None

    d = dkim.DKIM(message)
    try:
        ok = d.verify(dnsfunc=dns)
    except dkim.DKIMException as e:
        print(f"fail: {e}")
        return 1
    if not ok:
        print(f"fail: signature does not verify (asked {asked})")
        return 1
    print("pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
