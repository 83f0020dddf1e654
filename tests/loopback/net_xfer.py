#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A TCP bulk transfer whose bytes are checksummed on both ends.

  net_xfer.py recv HOST PORT READY_FILE
      accept one connection, print "<bytes> <sha256>" of what arrived
  net_xfer.py send HOST PORT NBYTES [PAUSE_FILE GO_FILE]
      send NBYTES random bytes, print "<bytes> <sha256>" of what was sent;
      with PAUSE_FILE/GO_FILE, create PAUSE_FILE half way and wait for
      GO_FILE before sending the rest
"""
import hashlib
import os
import socket
import sys
import time

CHUNK = 1 << 16
LIMIT_S = 60


def family(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def recv(host, port, ready):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(1)
    s.settimeout(LIMIT_S)
    open(ready, 'w').close()
    c, _ = s.accept()
    c.settimeout(LIMIT_S)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    print(n, h.hexdigest())


def send(host, port, nbytes, pause=None, go=None):
    s = socket.create_connection((host, port), timeout=LIMIT_S)
    h, n, paused = hashlib.sha256(), 0, False
    while n < nbytes:
        if pause and not paused and n >= nbytes // 2:
            open(pause, 'w').close()
            end = time.time() + LIMIT_S
            while not os.path.exists(go) and time.time() < end:
                time.sleep(0.01)
            paused = True
        b = os.urandom(min(CHUNK, nbytes - n))
        s.sendall(b)
        h.update(b)
        n += len(b)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    print(n, h.hexdigest())


def main(argv):
    if len(argv) >= 5 and argv[1] == 'recv':
        recv(argv[2], int(argv[3]), argv[4])
    elif len(argv) in (5, 7) and argv[1] == 'send':
        send(argv[2], int(argv[3]), int(argv[4]), *argv[5:7])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
