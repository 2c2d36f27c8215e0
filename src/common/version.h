/* SPDX-License-Identifier: MIT */
/* version.h - this build's version, commit and features, for --version and /health. The Makefile
 * gives them to version.c alone (-DAGORA_VERSION, -DAGORA_COMMIT), so only it rebuilds. */
#ifndef COMMON_VERSION_H
#define COMMON_VERSION_H

extern const char agora_version[];
extern const char agora_commit[];

/* how the running program was linked: "static" (no dynamic loader at all), "static-libs" (its
 * libraries static, the C library shared) or "shared" (libcrypto from a .so) */
const char *version_link(void);

/* "NAME VERSION (commit C)\nfeatures: FEATURES LINK\n" in a static buffer; FEATURES may be "" */
const char *version_text(const char *name, const char *features);

#endif
