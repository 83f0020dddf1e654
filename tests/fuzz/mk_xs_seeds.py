#!/usr/bin/env python3
# Writes the seed inputs of the xs_wire_reader and xenstored_conn fuzz
# targets: streams of well-formed xs_wire requests, one file per scenario.
import os
import struct

T = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
         TRANSACTION_START=6, TRANSACTION_END=7, INTRODUCE=8, RELEASE=9,
         GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13, SET_PERMS=14,
         IS_DOMAIN_INTRODUCED=17, RESET_WATCHES=21, DIRECTORY_PART=22)


def msg(kind, body, tx=0, req=1, length=None):
    n = len(body) if length is None else length
    return struct.pack('<IIII', T[kind], req, tx, n) + body


SEEDS = {
    'write_read': msg('WRITE', b'/a/b\0hello') + msg('READ', b'/a/b\0') +
    msg('DIRECTORY', b'/a\0') + msg('RM', b'/a\0'),
    'relative': msg('WRITE', b'device/vif/0/state\x004') +
    msg('READ', b'device/vif/0/state\0') + msg('MKDIR', b'data\0'),
    'perms': msg('MKDIR', b'/p/q\0') + msg('SET_PERMS', b'/p\0n0\0r5\0b7\0') +
    msg('GET_PERMS', b'/p/q\0') + msg('READ', b'/hidden/x\0'),
    'transaction': msg('TRANSACTION_START', b'\0') +
    msg('WRITE', b'/t/x\x001', tx=1) + msg('READ', b'/t/x\0', tx=1) +
    msg('RM', b'/shared\0', tx=1) + msg('TRANSACTION_END', b'T\0', tx=1) +
    msg('TRANSACTION_START', b'\0') + msg('TRANSACTION_END', b'F\0', tx=2),
    'watch': msg('WATCH', b'/w\0tok\0') + msg('WRITE', b'/w/x\0v') +
    msg('WATCH', b'@introduceDomain\0i\0') + msg('UNWATCH', b'/w\0tok\0') +
    msg('RESET_WATCHES', b''),
    'domains': msg('INTRODUCE', b'7\0' b'123\0' b'4\0') +
    msg('IS_DOMAIN_INTRODUCED', b'7\0') + msg('GET_DOMAIN_PATH', b'7\0') +
    msg('RELEASE', b'7\0') + msg('CONTROL', b'help\0'),
    'directory_part': msg('MKDIR', b'/d/one\0') + msg('MKDIR', b'/d/two\0') +
    msg('DIRECTORY_PART', b'/d\x000\0') + msg('DIRECTORY_PART', b'/d\x004\0'),
    'oversized': msg('WRITE', b'/x\0', length=4097),
}

top = os.path.dirname(os.path.abspath(__file__))
for target, prefix in (('xs_wire_reader', b'\x01'),
                       ('xenstored_conn', b'\x00')):
    d = os.path.join(top, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(prefix + data)
    if target == 'xenstored_conn':
        with open(os.path.join(d, 'domu_perms'), 'wb') as f:
            f.write(b'\x01' + SEEDS['perms'] + SEEDS['relative'])
