#!/bin/bash
# SPDX-License-Identifier: MIT
# armhf.t - make cross-armhf (Raspberry Pi OS 32-bit) under qemu-arm: the body is tests/lib/cross.sh.
ARCH=armhf . "$(dirname "$0")/lib/cross.sh"
