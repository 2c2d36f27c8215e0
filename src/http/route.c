/* SPDX-License-Identifier: MIT */
/* route.c - the route table, and every request field checked against one table of setters
 * before any secret is touched. Pure functions: the request in, a struct treq out. */
#include <string.h>
#include <strings.h>

#include "agora_token.h"
#include "http/route.h"

#define GET  (1u << M_GET)
#define POST (1u << M_POST)

const struct route routes[R__MAX] = {
	[R_DESCRIBE]     = { "describe", GET, "GET, OPTIONS", 1 },
	[R_NATIVE]       = { "native", GET, "GET, OPTIONS", 1 },
	[R_RTC]          = { "rtc", GET, "GET, OPTIONS", 0 },
	[R_RTM]          = { "rtm", GET, "GET, OPTIONS", 0 },
	[R_RTE]          = { "rte", GET, "GET, OPTIONS", 0 },
	[R_CHAT_APP]     = { "chat/app", GET, "GET, OPTIONS", 0 },
	[R_CHAT_ACCOUNT] = { "chat/account", GET, "GET, OPTIONS", 0 },
	[R_GETTOKEN]     = { "getToken", POST, "POST, OPTIONS", 0 },
	[R_PING]         = { "ping", GET, "GET, OPTIONS", 1 },
	[R_HEALTH]       = { "health", GET, "GET, OPTIONS", 1 },
	[R_INSPECT]      = { "inspect", GET, "GET, OPTIONS", 1 },
	[R_CONFIG]       = { "config", GET, "GET, OPTIONS", 1 },
	[R_METRICS]      = { "metrics", GET, "GET, OPTIONS", 1 },
};

/* Path routes by their first segment and their number of segments (trailing slash dropped). */
static const struct {
	const char *first, *second;  /* second: NULL for any */
	int min_segs, max_segs;
	enum route_id id;
} paths[] = {
	{ "rtc", NULL, 5, 5, R_RTC },
	{ "rtm", NULL, 2, 2, R_RTM },
	{ "rte", NULL, 5, 6, R_RTE },
	{ "chat", "app", 2, 2, R_CHAT_APP },
	{ "chat", "account", 3, 3, R_CHAT_ACCOUNT },
	{ "getToken", NULL, 1, 1, R_GETTOKEN },
	{ "ping", NULL, 1, 1, R_PING },
	{ "health", NULL, 1, 1, R_HEALTH },
	{ "inspect", NULL, 1, 1, R_INSPECT },
	{ "config", NULL, 1, 1, R_CONFIG },
	{ "metrics", NULL, 1, 1, R_METRICS },
};

enum rerr route_find(const struct request *q, enum route_id *id)
{
	const char *type;
	size_t i;

	if (!q->has_path) {
		type = req_param(q, "type");
		*id = type == NULL ? R_DESCRIBE : strcmp(type, "inspect") == 0 ? R_INSPECT :
			strcmp(type, "metrics") == 0 ? R_METRICS : R_NATIVE;
	} else {
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			if (strcmp(q->segs[0], paths[i].first) == 0 &&
			    q->n_segs >= paths[i].min_segs && q->n_segs <= paths[i].max_segs &&
			    (paths[i].second == NULL || strcmp(q->segs[1], paths[i].second) == 0))
				break;
		if (i == sizeof(paths) / sizeof(paths[0]))
			return E_NOT_FOUND;
		*id = paths[i].id;
	}
	if (q->method != M_OPTIONS && !(routes[*id].methods & (1u << q->method)))
		return E_METHOD;
	return E_OK;
}

/* ---- field setters: strict, each refuses with the reason of its own field ---- */

static enum rerr enc(enum token_err e)
{
	return e == TOKEN_OK ? E_OK : E_ENCODER(e);
}

/* "*" (every Signaling stream channel) passes here; route_check keeps it to RTM tokens */
static enum rerr f_channel(struct treq *t, const char *v)
{
	t->channel = v;
	return enc(token_check_stream_channel(v, strlen(v)));
}

static enum rerr f_uid(struct treq *t, const char *v)
{
	t->has_uid = 1;
	return enc(token_parse_uid(v, strlen(v), &t->uid));
}

static enum rerr f_account(struct treq *t, const char *v)
{
	t->account = v;
	return enc(token_check_account(v, strlen(v)));
}

static enum rerr f_user(struct treq *t, const char *v)
{
	t->user = v;
	return enc(token_check_user(v, strlen(v)));
}

static enum rerr f_room(struct treq *t, const char *v)
{
	t->room = v;
	return enc(token_check_room(v, strlen(v)));
}

/* A Flexible Classroom role: a whole number 0..32767 (the token field is a signed 16 bits). */
static enum rerr f_apaas_role(struct treq *t, const char *v)
{
	long n = 0;
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 5)
			return E_APAAS_ROLE;
		n = n * 10 + (v[i] - '0');
	}
	if (i == 0 || n > 32767)
		return E_APAAS_ROLE;
	t->has_apaas_role = 1;
	t->apaas_role = (int16_t)n;
	return E_OK;
}

static enum rerr f_role(struct treq *t, const char *v)
{
	if ((t->role = config_role(v)) == TOKEN_ROLE_EXPLICIT)
		return E_ROLE;
	return E_OK;
}

/* Seconds: digits only. Larger than 32 bits saturates; policy then clamps or refuses it. */
static enum rerr seconds(const char *v, uint32_t *out)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9')
			return E_EXPIRE;
		if (n <= UINT32_MAX)
			n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (i == 0)
		return E_EXPIRE;
	*out = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	return E_OK;
}

static enum rerr f_expire(struct treq *t, const char *v)
{
	/* expire and its alias expiry together would be one parameter given twice */
	if (t->has_expire)
		return E_PARAM_DUP;
	t->has_expire = 1;
	return seconds(v, &t->expire);
}

static enum rerr f_pexpire(struct treq *t, const char *v)
{
	t->has_pexpire = 1;
	return seconds(v, &t->pexpire);
}

static enum rerr f_rtm_expire(struct treq *t, const char *v)
{
	t->has_rtm_expire = 1;
	return seconds(v, &t->rtm_expire);
}

static enum rerr f_permissions(struct treq *t, const char *v)
{
	const char *why;

	t->has_perms = 1;
	return rtm2perm_parse(&t->perms, v, &why) == 0 ? E_OK : E_PERMISSIONS;
}

static enum rerr f_app_id(struct treq *t, const char *v)
{
	t->app_id = v;
	return enc(token_check_hex32(v, TOKEN_ERR_APP_ID));
}

static enum rerr f_at(struct treq *t, const char *v)
{
	t->has_at = 1;
	return seconds(v, &t->at) == E_OK ? E_OK : E_AT;
}

static enum rerr f_version(struct treq *t, const char *v)
{
	if (strcmp(v, "007") == 0)
		t->version = 7;
	else if (strcmp(v, "006") == 0)
		t->version = 6;
	else
		return E_VERSION;
	return E_OK;
}

static enum rerr f_app(struct treq *t, const char *v)
{
	t->app = v;
	return v[0] == '\0' ? E_APP : E_OK;
}

static enum rerr f_token(struct treq *t, const char *v)
{
	t->token = v;
	return E_OK;
}

static const struct field {
	const char *name;
	enum rerr (*set)(struct treq *t, const char *v);
	int on_path_routes;         /* also read from the query of the compatibility routes */
} fields[] = {
	{ "channel", f_channel, 0 },
	{ "uid", f_uid, 0 },
	{ "account", f_account, 0 },
	{ "user", f_user, 0 },
	{ "room", f_room, 0 },
	{ "apaas_role", f_apaas_role, 0 },
	{ "role", f_role, 0 },
	{ "expire", f_expire, 1 },
	{ "expiry", f_expire, 1 },
	{ "privilege_expire", f_pexpire, 1 },
	{ "version", f_version, 1 },
	{ "app", f_app, 1 },
	{ "token", f_token, 0 },
	{ "rtm_expire", f_rtm_expire, 0 },
	{ "permissions", f_permissions, 0 },
	{ "app_id", f_app_id, 0 },
	{ "at", f_at, 0 },
};

enum rerr route_set(struct treq *t, const char *name, const char *v)
{
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].name, name) == 0)
			return fields[i].set(t, v);
	return E_OK;
}

/* ---- what each token type needs ---- */

/* N_CHANNEL: a channel is required; N_STREAM: one may be given (an RTM token's stream channel).
 * Either way the token carries it, and treq_channels() lists it. */
enum { N_CHANNEL = 1, N_ID = 2, N_USER = 4, N_ROOM = 8, N_APAAS_ROLE = 16, N_STREAM = 32 };

static const struct {
	const char *key;
	unsigned need;
} types[CFG_T__MAX] = {
	[CFG_T_RTC]        = { "rtcToken", N_CHANNEL | N_ID },
	[CFG_T_RTM]        = { "rtmToken", N_USER | N_STREAM },
	[CFG_T_RTE]        = { "rtcToken", N_CHANNEL | N_ID },
	[CFG_T_CHAT]       = { "chatToken", N_USER },
	[CFG_T_CHAT_APP]   = { "chatToken", 0 },
	[CFG_T_APAAS]      = { "apaasToken", N_ROOM | N_USER | N_APAAS_ROLE },
	[CFG_T_APAAS_USER] = { "apaasToken", N_USER },
	[CFG_T_APAAS_APP]  = { "apaasToken", 0 },
	[CFG_T_FPA]        = { "fpaToken", 0 },
	[CFG_T_RTC_RTM]    = { "token", N_CHANNEL | N_ID },
	[CFG_T_RTM2]       = { "rtmToken", N_USER },
	[CFG_T_CONVOAI]    = { "convoaiToken", N_CHANNEL | N_ID | N_USER },
	[CFG_T_STT]        = { "sttToken", N_CHANNEL | N_ID | N_USER },
	[CFG_T_STREAMING]  = { "streamingToken", N_CHANNEL | N_ID },
	[CFG_T_FCDN]       = { "fcdnToken", N_CHANNEL | N_ID },
};

/* The types whose token holds an RTM login for t->user. */
int route_has_rtm(enum cfg_type type)
{
	return type == CFG_T_RTM || type == CFG_T_RTE || type == CFG_T_RTC_RTM || type == CFG_T_RTM2 ||
		type == CFG_T_CONVOAI || type == CFG_T_STT;
}

/* The types whose token holds an RTC service for t->channel and the uid or account. */
int route_has_rtc(enum cfg_type type)
{
	return type == CFG_T_RTC || type == CFG_T_RTE || type == CFG_T_RTC_RTM || type == CFG_T_CONVOAI ||
		type == CFG_T_STT;
}

size_t treq_channels(const struct treq *t, struct token_bytes out[TREQ_MAX_CHANNELS])
{
	size_t n = 0, i, j;

	if (t->channel != NULL && (types[t->type].need & (N_CHANNEL | N_STREAM)))
		out[n++] = (struct token_bytes){ t->channel, strlen(t->channel) };
	for (i = 0; t->has_perms && i < t->perms.n_perms; i++) {
		const struct token_rtm2_perm *p = &t->perms.perms[i];

		/* resource types 0, 1, 2: message, stream and group channels; 3, 4: groups, users */
		if (p->resource_type > 2)
			continue;
		for (j = 0; j < p->n_resources && n < TREQ_MAX_CHANNELS; j++)
			out[n++] = p->resources[j];
	}
	return n;
}

static void treq_init(struct treq *t, enum cfg_type type)
{
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->key = types[type].key;
	t->version = 7;
}

static enum rerr fill_query(const struct request *q, struct treq *t, int path_route)
{
	enum rerr e;
	size_t f;
	int i;

	for (i = 0; i < q->n_params; i++)
		for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
			if (strcmp(q->params[i].name, fields[f].name) == 0 &&
			    (!path_route || fields[f].on_path_routes) &&
			    (e = fields[f].set(t, q->params[i].value)) != E_OK)
				return e;
	return E_OK;
}

/* /rtc and /rte: :channel/:role/:tokenType/:uid, where tokenType says what :uid is. */
static enum rerr fill_rtc_path(const struct request *q, struct treq *t)
{
	enum rerr e;

	if ((e = f_channel(t, q->segs[1])) != E_OK || (e = f_role(t, q->segs[2])) != E_OK)
		return e;
	if (strcmp(q->segs[3], "uid") == 0)
		return f_uid(t, q->segs[4]);
	if (strcasecmp(q->segs[3], "userAccount") == 0)
		return f_account(t, q->segs[4]);
	return E_TOKEN_TYPE;
}

enum rerr route_fill(const struct request *q, enum route_id id, struct treq *t)
{
	enum cfg_type type;
	enum rerr e = E_OK;

	switch (id) {
	case R_NATIVE:
		if ((type = config_type(req_param(q, "type"))) == CFG_T__MAX)
			return E_TYPE;
		treq_init(t, type);
		return fill_query(q, t, 0);
	case R_INSPECT:
		treq_init(t, CFG_T_RTC);
		return fill_query(q, t, 0);
	case R_RTC:
	case R_RTE:
		treq_init(t, id == R_RTC ? CFG_T_RTC : CFG_T_RTE);
		e = fill_rtc_path(q, t);
		if (e == E_OK && q->n_segs == 6)
			e = f_user(t, q->segs[5]);
		break;
	case R_RTM:
		treq_init(t, CFG_T_RTM);
		e = f_user(t, q->segs[1]);
		break;
	case R_CHAT_APP:
		treq_init(t, CFG_T_CHAT_APP);
		break;
	case R_CHAT_ACCOUNT:
		treq_init(t, CFG_T_CHAT);
		e = f_user(t, q->segs[2]);
		break;
	default:
		return E_NOT_FOUND;
	}
	t->compat = 1;
	return e != E_OK ? e : fill_query(q, t, 1);
}

enum rerr route_check(struct treq *t)
{
	unsigned need = types[t->type].need;
	int rtm = route_has_rtm(t->type);

	if ((need & N_CHANNEL) && t->channel == NULL)
		return E_CHANNEL_MISSING;
	/* "*" names every Signaling stream channel: only an RTM token's channel may be it */
	if (t->channel != NULL && strcmp(t->channel, "*") == 0 && t->type != CFG_T_RTM)
		return E_ENCODER(TOKEN_ERR_CHANNEL);
	if ((need & N_ID) && t->has_uid && t->account != NULL)
		return E_UID_BOTH;
	if ((need & N_ID) && !t->has_uid && t->account == NULL)
		return E_UID_MISSING;
	/* rte, rtc_rtm: the RTM user is :rtmuid or user=, else the RTC account or uid */
	if ((t->type == CFG_T_RTE || t->type == CFG_T_RTC_RTM) && t->user == NULL)
		t->user = t->account != NULL ? t->account : token_uid_string(t->uid, t->uid_str);
	if ((need & N_USER) && t->user == NULL)
		return E_USER_MISSING;
	/* as agora-token-service: an RTM user of "" or "0" would be anyone's */
	if (rtm && (t->user == NULL || t->user[0] == '\0' || strcmp(t->user, "0") == 0))
		return E_RTM_USER;
	if ((need & N_ROOM) && t->room == NULL)
		return E_ROOM_MISSING;
	if ((need & N_APAAS_ROLE) && !t->has_apaas_role)
		return E_APAAS_ROLE;
	if (t->version == 6 && t->type != CFG_T_RTC && t->type != CFG_T_RTM && t->type != CFG_T_RTE)
		return E_VERSION_TYPE;
	/* 006 has no stream channels: its RTM token signs the user as its channel */
	if (t->version == 6 && t->type == CFG_T_RTM && t->channel != NULL)
		return E_VERSION_TYPE;
	return E_OK;
}
