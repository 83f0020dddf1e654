#!/usr/bin/env bash
# The PV boot of the real-Xen harness (tests/xen/README.md).
exec bash "$(dirname "$0")/suite.sh" pv
