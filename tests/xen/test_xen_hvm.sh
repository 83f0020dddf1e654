#!/usr/bin/env bash
# The HVM boot of the real-Xen harness (tests/xen/hvm/README.md).
exec bash "$(dirname "$0")/suite.sh" hvm
