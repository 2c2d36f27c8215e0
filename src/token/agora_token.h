/* SPDX-License-Identifier: MIT */
/* agora_token.h - build, parse and verify Agora AccessToken2 ("007") and AccessToken ("006").
 * The one public header of libagoratoken: it knows nothing of HTTP, ini files or FastCGI. */
#ifndef AGORA_TOKEN_H
#define AGORA_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every function that can fail returns one of these; token_strerror() turns it into a sentence. */
enum token_err {
	TOKEN_OK = 0,
	TOKEN_ERR_ARG,            /* a required argument is NULL */
	TOKEN_ERR_APP_ID,         /* app id is not 32 hex characters */
	TOKEN_ERR_APP_CERT,       /* app certificate is not 32 hex characters */
	TOKEN_ERR_CHANNEL,        /* channel: 1..64 bytes of Agora's channel character set */
	TOKEN_ERR_ACCOUNT,        /* user account: 1..255 bytes of the same set */
	TOKEN_ERR_USER,           /* RTM / Chat user id: 1..64 bytes of UTF-8, no control characters */
	TOKEN_ERR_ROOM,           /* APaaS room / user uuid: 1..255 bytes of UTF-8, no control characters */
	TOKEN_ERR_UID,            /* uid: a decimal 0..4294967295 */
	TOKEN_ERR_ROLE,           /* unknown role */
	TOKEN_ERR_EXPIRE,         /* a lifetime outside the allowed range */
	TOKEN_ERR_STRING,         /* a string longer than 65535 bytes */
	TOKEN_ERR_NO_SERVICE,     /* a token needs at least one service */
	TOKEN_ERR_TOO_MANY,       /* more services, privileges or permissions than supported */
	TOKEN_ERR_TOO_LARGE,      /* the packed content exceeds TOKEN_MAX_CONTENT */
	TOKEN_ERR_NOSPACE,        /* the output buffer is too small */
	TOKEN_ERR_VERSION,        /* not a "007" or "006" token */
	TOKEN_ERR_BASE64,         /* not valid base64 */
	TOKEN_ERR_INFLATE,        /* not a zlib stream */
	TOKEN_ERR_MALFORMED,      /* truncated or inconsistent content */
	TOKEN_ERR_SIGNATURE,      /* the signature does not match the certificate */
	TOKEN_ERR_MISMATCH,       /* 006: channel or uid differ from the ones in the token */
	TOKEN_ERR_ZLIB,           /* zlib failed (out of memory) */
	TOKEN_ERR_RANDOM,         /* the system's random source failed */
	TOKEN_ERR__MAX
};

const char *token_strerror(enum token_err e);
/* A stable lowercase identifier for e ("invalid_channel", ...), for machine-readable errors. */
const char *token_errcode(enum token_err e);

/* ---- limits ---- */
#define TOKEN_HEX_LEN          32      /* app id and certificate */
#define TOKEN_MAX_CHANNEL      64
#define TOKEN_MAX_ACCOUNT      255
#define TOKEN_MAX_USER         64
#define TOKEN_MAX_ROOM         255
#define TOKEN_MAX_EXPIRE       86400u  /* Agora: a token or privilege lasts 24 hours at most */
#define TOKEN_MAX_STRING       65535u  /* u16 length prefix */
#define TOKEN_MAX_CONTENT      65535u  /* packed 007 content, as the reference parser can read */
#define TOKEN_MAX_SERVICES     32
#define TOKEN_MAX_PRIVILEGES   16
#define TOKEN_BUF_SIZE         2048    /* enough for every token the convenience builders make */

/* ---- AccessToken2 (007) ---- */

enum token_service_type {
	TOKEN_SVC_RTC = 1,
	TOKEN_SVC_RTM = 2,
	TOKEN_SVC_STREAMING = 3,
	TOKEN_SVC_FPA = 4,
	TOKEN_SVC_CHAT = 5,
	TOKEN_SVC_FCDN = 6,
	TOKEN_SVC_APAAS = 7,
	TOKEN_SVC_RTM2 = 8,
	TOKEN_SVC_CONVOAI = 9,    /* no fields and no privileges: the type alone */
	TOKEN_SVC_STT = 10,       /* the same */
	TOKEN_SVC__MAX
};

/* Privilege ids, per service. */
enum {
	TOKEN_PRIV_RTC_JOIN = 1, TOKEN_PRIV_RTC_AUDIO = 2, TOKEN_PRIV_RTC_VIDEO = 3, TOKEN_PRIV_RTC_DATA = 4,
	TOKEN_PRIV_RTM_LOGIN = 1,
	TOKEN_PRIV_STREAMING_MIX = 1, TOKEN_PRIV_STREAMING_RAW = 2,
	TOKEN_PRIV_FPA_LOGIN = 1,
	TOKEN_PRIV_CHAT_USER = 1, TOKEN_PRIV_CHAT_APP = 2,
	TOKEN_PRIV_FCDN_PUBLISH = 1, TOKEN_PRIV_FCDN_PLAY = 2,
	TOKEN_PRIV_APAAS_ROOM_USER = 1, TOKEN_PRIV_APAAS_USER = 2, TOKEN_PRIV_APAAS_APP = 3,
	TOKEN_PRIV_RTM2_LOGIN = 1
};

/* A byte string: not NUL-terminated, binary safe. */
struct token_bytes {
	const char *p;
	size_t len;
};

struct token_privilege {
	uint16_t id;
	uint32_t value;           /* 007: seconds after issue_ts; 006: absolute Unix time */
};

/* RTM2 permissions: resource_type (0 message channels, 1 stream channels, 2 group channels,
 * 3 server groups, 4 users) x perm_type (0 read, 1 write) -> resource names. */
struct token_rtm2_perm {
	uint16_t resource_type;
	uint16_t perm_type;
	uint16_t n_resources;
	const struct token_bytes *resources;
};

/* One service. Which fields count depends on the type; the others stay zero:
 *   RTC: channel, account ("" for uid 0)     RTM, Chat, RTM2: user      FPA: none
 *   Streaming, FCDN: channel, account        APaaS: room, user, role    RTM2: perms */
struct token_service {
	uint16_t type;
	uint16_t n_privileges;
	struct token_privilege privileges[TOKEN_MAX_PRIVILEGES];
	struct token_bytes channel;
	struct token_bytes account;
	struct token_bytes user;
	struct token_bytes room;
	int16_t role;
	/* building: the permissions, any order (packed sorted by resource and perm type) */
	const struct token_rtm2_perm *perms;
	uint16_t n_perms;
	/* parsing: the packed permission block as read, walked by token_rtm2_walk() */
	struct token_bytes perms_raw;
};

/* A 007 token's fields. To build, fill app_id, issue_ts, expire, salt and the services (any
 * order: they are packed sorted by type, stably, with privileges ascending). A parsed token
 * owns its content; its byte strings point into it until token2_free(). */
struct token2 {
	struct token_bytes app_id;
	uint32_t issue_ts;
	uint32_t expire;          /* seconds after issue_ts */
	uint32_t salt;
	uint16_t n_services;
	struct token_service services[TOKEN_MAX_SERVICES];
	/* set by token2_parse() */
	uint16_t declared_services;   /* the count in the token; more than n_services when an unknown type stopped the walk */
	uint16_t unknown_type;        /* the first unknown service type met, 0 if none */
	unsigned char signature[32];
	struct token_bytes signing_info;
	unsigned char *content;
	size_t content_len;
};

/* Packs, signs, compresses and encodes t into out (NUL-terminated; *len gets its length).
 * Checks the app id, the certificate, every string's length and that there is a service. */
enum token_err token2_build(const struct token2 *t, const char *app_cert, char *out, size_t cap, size_t *len);

/* Parses any 007 token (any zlib-format producer, any service order). On failure t is cleared. */
enum token_err token2_parse(struct token2 *t, const char *s, size_t len);
/* Checks the signature over the raw signed bytes, in constant time. Expiry is not checked. */
enum token_err token2_verify(const struct token2 *t, const char *app_cert);
void token2_free(struct token2 *t);

/* Walks a parsed RTM2 permission block: fn is called once per resource name. */
enum token_err token_rtm2_walk(struct token_bytes raw,
	void (*fn)(void *ctx, uint16_t resource_type, uint16_t perm_type, struct token_bytes resource), void *ctx);

/* ---- builders with the official semantics ---- */

/* Who signs, and when: every builder takes the issue time and the salt explicitly. */
struct token_key {
	const char *app_id;       /* 32 hex characters, NUL-terminated */
	const char *app_cert;     /* 32 hex characters, NUL-terminated */
	uint32_t issue_ts;        /* Unix seconds */
	uint32_t salt;
};

/* The convenience: issue_ts = now, salt = a random 1..99999999 from the system's CSPRNG. */
enum token_err token_key_stamp(struct token_key *k);

enum token_role {
	TOKEN_ROLE_EXPLICIT = 0,  /* all four RTC privileges, each with its own lifetime, no role */
	TOKEN_ROLE_PUBLISHER = 1,
	TOKEN_ROLE_SUBSCRIBER = 2
};

/* An RTC token, optionally with RTM (the BuildTokenWithRtm / BuildTokenWithRtm2 builders).
 * A publisher gets join, audio, video and data; a subscriber join only; TOKEN_ROLE_EXPLICIT all
 * four with the lifetimes given. token_rtc_init() sets all four lifetimes to privilege_expire. */
struct token_rtc {
	const char *channel;
	const char *account;      /* a user account, or NULL to use uid (0: any uid may join) */
	uint32_t uid;
	enum token_role role;
	uint32_t expire;          /* token lifetime, seconds */
	uint32_t join, audio, video, data;   /* privilege lifetimes, seconds */
	const char *rtm_user;     /* non-NULL: add RTM login for this user */
	uint32_t rtm_expire;
	/* with rtm_user: a Signaling stream channel ("*": every channel), packed as a second RTC
	 * service for that channel with rtm_user as account, join and publishDataStream for rtm_expire */
	const char *rtm_channel;
};
void token_rtc_init(struct token_rtc *r, const char *channel, uint32_t uid, enum token_role role,
	uint32_t expire, uint32_t privilege_expire);

enum token_err token_build_rtc(char *out, size_t cap, const struct token_key *k, const struct token_rtc *r);
enum token_err token_build_rtm(char *out, size_t cap, const struct token_key *k, const char *user, uint32_t expire);
/* An RTM token that also joins a Signaling stream channel (channel "*": every channel): RTM login
 * plus an RTC service for channel with the user as account, joinChannel and publishDataStream,
 * all for expire (agora-token-service's RTM builder with a stream name). NULL channel: RTM only. */
enum token_err token_build_rtm_stream(char *out, size_t cap, const struct token_key *k, const char *user,
	const char *channel, uint32_t expire);
/* The same; join_only: the stream channel gets joinChannel alone (a subscriber's: no data published). */
enum token_err token_build_rtm_stream_join(char *out, size_t cap, const struct token_key *k, const char *user,
	const char *channel, int join_only, uint32_t expire);
/* ConvoAI (ConvoAITokenBuilder) and STT (SttTokenBuilder): the RTC service of r (channel, account
 * or uid, role, the four privilege lifetimes), RTM for r->rtm_user (required) lasting r->rtm_expire,
 * and the empty ConvoAI or STT service. */
enum token_err token_build_convoai(char *out, size_t cap, const struct token_key *k, const struct token_rtc *r);
enum token_err token_build_stt(char *out, size_t cap, const struct token_key *k, const struct token_rtc *r);
/* A Signaling stream channel name: "*" or an RTC channel name. */
enum token_err token_check_stream_channel(const char *s, size_t len);
enum token_err token_build_rtm2(char *out, size_t cap, const struct token_key *k, const char *user,
	const struct token_rtm2_perm *perms, uint16_t n_perms, uint32_t expire);
enum token_err token_build_chat_user(char *out, size_t cap, const struct token_key *k, const char *user, uint32_t expire);
enum token_err token_build_chat_app(char *out, size_t cap, const struct token_key *k, uint32_t expire);
/* FPA: token lifetime 86400, login privilege 0, as the official builder. */
enum token_err token_build_fpa(char *out, size_t cap, const struct token_key *k);
enum token_err token_build_apaas_room_user(char *out, size_t cap, const struct token_key *k,
	const char *room, const char *user, int16_t role, uint32_t expire);
enum token_err token_build_apaas_user(char *out, size_t cap, const struct token_key *k, const char *user, uint32_t expire);
enum token_err token_build_apaas_app(char *out, size_t cap, const struct token_key *k, uint32_t expire);
/* Streaming and FCDN: both privileges (mix/raw, publish/play) last expire; account "" for any. */
enum token_err token_build_streaming(char *out, size_t cap, const struct token_key *k,
	const char *channel, const char *account, uint32_t expire);
enum token_err token_build_fcdn(char *out, size_t cap, const struct token_key *k,
	const char *channel, const char *account, uint32_t expire);

/* ---- AccessToken (006), legacy ---- */

enum {
	TOKEN1_PRIV_JOIN = 1, TOKEN1_PRIV_AUDIO = 2, TOKEN1_PRIV_VIDEO = 3, TOKEN1_PRIV_DATA = 4,
	TOKEN1_PRIV_ADMIN = 101, TOKEN1_PRIV_RTM_LOGIN = 1000
};
/* 006 roles: attendee 0, publisher 1 and admin 101 get join and publish; subscriber 2 join only. */
enum { TOKEN1_ROLE_ATTENDEE = 0, TOKEN1_ROLE_PUBLISHER = 1, TOKEN1_ROLE_SUBSCRIBER = 2, TOKEN1_ROLE_ADMIN = 101 };

struct token1 {
	char app_id[TOKEN_HEX_LEN + 1];
	uint32_t salt;
	uint32_t ts;              /* the token's expiry, absolute Unix time */
	uint16_t n_privileges;
	struct token_privilege privileges[TOKEN_MAX_PRIVILEGES];   /* absolute Unix times */
	unsigned char signature[32];
	uint32_t crc_channel;
	uint32_t crc_uid;
	size_t message_len;
	unsigned char message[10 + 6 * TOKEN_MAX_PRIVILEGES];
};

/* The generic 006 builder: ts and the privileges' values are absolute Unix times. */
enum token_err token1_build(char *out, size_t cap, const char *app_id, const char *app_cert,
	struct token_bytes channel, struct token_bytes uid, uint32_t salt, uint32_t ts,
	const struct token_privilege *privs, size_t n_privs);
/* RtcTokenBuilder (006): uid 0 is "", account NULL means use uid; ts is the token's own expiry. */
enum token_err token1_build_rtc(char *out, size_t cap, const struct token_key *k, const char *channel,
	const char *account, uint32_t uid, int role, uint32_t privilege_ts, uint32_t ts);
/* RtmTokenBuilder (006): the user travels as the channel, the uid is "". */
enum token_err token1_build_rtm(char *out, size_t cap, const struct token_key *k, const char *user,
	uint32_t privilege_ts, uint32_t ts);
enum token_err token1_parse(struct token1 *t, const char *s, size_t len);
/* Checks channel and uid against the token's CRCs, then the signature, in constant time. */
enum token_err token1_verify(const struct token1 *t, const char *app_cert, struct token_bytes channel, struct token_bytes uid);

/* ---- validators (pure, for callers that take input from users) ---- */
enum token_err token_check_hex32(const char *s, enum token_err if_bad);
enum token_err token_check_channel(const char *s, size_t len);
enum token_err token_check_account(const char *s, size_t len);
enum token_err token_check_user(const char *s, size_t len);
enum token_err token_check_room(const char *s, size_t len);
/* Strict decimal 0..4294967295: digits only, no sign, spaces, leading zeros or trailing junk. */
enum token_err token_parse_uid(const char *s, size_t len, uint32_t *uid);
/* "0" -> "" (the wildcard), else the unsigned decimal; buf has room for 11 bytes. */
const char *token_uid_string(uint32_t uid, char buf[11]);
enum token_err token_check_expire(uint32_t seconds);   /* 1..TOKEN_MAX_EXPIRE */

/* HMAC-SHA256 as the tokens are signed: on OpenSSL's SHA-256, without its EVP layer, whose set-up
 * costs a CGI process about half a millisecond. Also for callers that sign their own data. */
void token_hmac_sha256(unsigned char out[32], const void *key, size_t key_len, const void *msg, size_t msg_len);

/* Standard padded base64; decode also takes the URL-safe alphabet and missing padding.
 * Both return the output length, or 0 when the output does not fit or the input is bad. */
size_t token_base64_encode(char *out, size_t cap, const unsigned char *in, size_t len);
size_t token_base64_decode(unsigned char *out, size_t cap, const char *in, size_t len);
/* Strict base64url (JWS, RFC 7515): the URL-safe alphabet only, no padding, no leftover bits set.
 * Returns 0 with the length in *outlen (0 for ""), or -1 when bad or when it would exceed cap. */
int token_base64url_decode(unsigned char *out, size_t cap, const char *in, size_t len, size_t *outlen);

#ifdef __cplusplus
}
#endif
#endif
