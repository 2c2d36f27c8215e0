#!/bin/bash
# SPDX-License-Identifier: MIT
# arm64.t - make cross-arm64 (Raspberry Pi OS 64-bit) under qemu-aarch64: the body is tests/lib/cross.sh.
ARCH=arm64 . "$(dirname "$0")/lib/cross.sh"
