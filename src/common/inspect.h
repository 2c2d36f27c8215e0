/* SPDX-License-Identifier: MIT */
/* inspect.h - a decoded token (007 or 006) as one JSON object, for `agora-token inspect` and /inspect.
 * Pure: no stdio, no globals; the certificate only ever feeds the verifier, it is never written. */
#ifndef INSPECT_H
#define INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "agora_token.h"
#include "doctor.h"
#include "json.h"

/* Verification inputs; every field may be NULL. With app_cert the object gains "signatureValid"
 * (for 006 only when channel and uid are given too, since the token carries only their CRCs).
 * uid is the uid string as signed: "" for uid 0, else the decimal or the account. */
struct inspect_verify {
	const char *app_cert;
	const char *channel;
	const char *uid;
};

/* Parses token[0..len) and writes it into jb as one JSON object. now != 0 adds "expired"
 * (expiry judged against now); 0 leaves the judgement out. Returns TOKEN_OK, the parse error
 * (jb then holds nothing useful), or TOKEN_ERR_NOSPACE when jb overflowed. */
enum token_err inspect_token_json(struct jbuf *jb, const char *token, size_t len,
	const struct inspect_verify *v, uint32_t now);

/* The same object, judged by the token doctor against what the client will try (d->at is the
 * time, and "expired" is judged against it): adds "signatureValid" (when d has a certificate),
 * "matchedApp", "would_join" and "findings"; d->apps replace inspect_verify's certificate. */
enum token_err inspect_doctor_json(struct jbuf *jb, const char *token, size_t len, const struct doctor_in *d);

/* Names for the JSON: "rtc", "joinChannel", ...; NULL when unknown. */
const char *inspect_service_name(uint16_t type);
const char *inspect_privilege_name(uint16_t type, uint16_t id);
const char *inspect_privilege1_name(uint16_t id);

#endif
