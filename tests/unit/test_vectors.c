/* SPDX-License-Identifier: MIT */
/* test_vectors.c - the official fixed-input vectors, byte for byte, through the generic builder and
 * the convenience builders; every official and foreign-compressor token parsed back and verified. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agora_token.h"
#include "tap.h"

#define V2_PATH "tests/vectors/access_token2.json"
#define V1_PATH "tests/vectors/access_token.json"

static const char *APP_ID = "970CA35de60c44645bbae8a215061b33";
static const char *CERT = "5CFd2fd1755d40ecb72977518be15d3b";

/* Storage for the RTM2 permissions of one vector. */
struct perm_store {
	struct token_rtm2_perm perms[16];
	struct token_bytes res[64];
	size_t n_res;
};

static struct token_bytes jbytes(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	struct token_bytes b = { "", 0 };

	if (json_is_string(v)) {
		b.p = json_string_value(v);
		b.len = json_string_length(v);
	}
	return b;
}

static void fill_perms(struct token_service *s, json_t *perms, struct perm_store *ps)
{
	const char *rt, *pt;
	json_t *by_pt, *list;

	json_object_foreach(perms, rt, by_pt) {
		json_object_foreach(by_pt, pt, list) {
			struct token_rtm2_perm *p = &ps->perms[s->n_perms++];
			size_t i;
			p->resource_type = (uint16_t)atoi(rt);
			p->perm_type = (uint16_t)atoi(pt);
			p->resources = &ps->res[ps->n_res];
			p->n_resources = (uint16_t)json_array_size(list);
			for (i = 0; i < json_array_size(list); i++) {
				json_t *r = json_array_get(list, i);
				ps->res[ps->n_res].p = json_string_value(r);
				ps->res[ps->n_res++].len = json_string_length(r);
			}
		}
	}
	s->perms = ps->perms;
}

static void fill_service(struct token_service *s, json_t *js, struct perm_store *ps)
{
	const char *key;
	json_t *val;

	memset(s, 0, sizeof(*s));
	s->type = (uint16_t)json_integer_value(json_object_get(js, "type"));
	json_object_foreach(json_object_get(js, "privileges"), key, val) {
		s->privileges[s->n_privileges].id = (uint16_t)atoi(key);
		s->privileges[s->n_privileges++].value = (uint32_t)json_integer_value(val);
	}
	s->channel = jbytes(js, "channel");
	s->account = s->type == TOKEN_SVC_RTC ? jbytes(js, "uid") : jbytes(js, "account");
	s->user = json_object_get(js, "user_id") ? jbytes(js, "user_id") : jbytes(js, "user");
	s->room = jbytes(js, "room");
	s->role = (int16_t)json_integer_value(json_object_get(js, "role"));
	if (json_object_get(js, "permissions"))
		fill_perms(s, json_object_get(js, "permissions"), ps);
}

static int same_bytes(struct token_bytes a, struct token_bytes b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Collects a parsed RTM2 block back into "rt/pt/name;" text, to compare with the input. */
static void perm_text(void *ctx, uint16_t rt, uint16_t pt, struct token_bytes r)
{
	char *buf = ctx;
	size_t n = strlen(buf);
	snprintf(buf + n, 512 - n, "%u/%u/%.*s;", rt, pt, (int)r.len, r.p);
}

static int same_service(const struct token_service *got, const struct token_service *want)
{
	uint16_t i, j;

	if (got->type != want->type || got->n_privileges != want->n_privileges)
		return 0;
	for (i = 0; i < want->n_privileges; i++) {
		for (j = 0; j < got->n_privileges; j++)
			if (got->privileges[j].id == want->privileges[i].id && got->privileges[j].value == want->privileges[i].value)
				break;
		if (j == got->n_privileges)
			return 0;
	}
	switch (want->type) {
	case TOKEN_SVC_RTC: case TOKEN_SVC_STREAMING: case TOKEN_SVC_FCDN:
		return same_bytes(got->channel, want->channel) && same_bytes(got->account, want->account);
	case TOKEN_SVC_RTM: case TOKEN_SVC_CHAT:
		return same_bytes(got->user, want->user);
	case TOKEN_SVC_APAAS:
		return same_bytes(got->room, want->room) && same_bytes(got->user, want->user) && got->role == want->role;
	case TOKEN_SVC_RTM2: {
		char a[512] = "", b[512] = "";
		uint16_t p, r;
		token_rtm2_walk(got->perms_raw, perm_text, a);
		/* the input in packed order: resource type, then perm type ascending */
		for (unsigned rt = 0; rt < 16; rt++)
			for (unsigned pt = 0; pt < 4; pt++)
				for (p = 0; p < want->n_perms; p++)
					if (want->perms[p].resource_type == rt && want->perms[p].perm_type == pt)
						for (r = 0; r < want->perms[p].n_resources; r++)
							perm_text(b, (uint16_t)rt, (uint16_t)pt, want->perms[p].resources[r]);
		return same_bytes(got->user, want->user) && strcmp(a, b) == 0 && a[0] != '\0';
	}
	default:
		return 1;
	}
}

/* The parsed token has the vector's fields, its services in packed (stable, by type) order. */
static int same_token(const struct token2 *got, const struct token2 *want)
{
	uint16_t order[TOKEN_MAX_SERVICES], i, j;

	if (!same_bytes(got->app_id, want->app_id) || got->issue_ts != want->issue_ts ||
	    got->expire != want->expire || got->salt != want->salt || got->n_services != want->n_services)
		return 0;
	for (i = 0; i < want->n_services; i++) {
		for (j = i; j > 0 && want->services[order[j - 1]].type > want->services[i].type; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 0; i < want->n_services; i++)
		if (!same_service(&got->services[i], &want->services[order[i]]))
			return 0;
	return 1;
}

static void vector_from_json(json_t *v, struct token2 *t, struct perm_store *ps)
{
	json_t *svcs = json_object_get(v, "services_in_insertion_order");
	size_t i;

	memset(t, 0, sizeof(*t));
	t->app_id = jbytes(v, "app_id");
	t->issue_ts = (uint32_t)json_integer_value(json_object_get(v, "issue_ts"));
	t->expire = (uint32_t)json_integer_value(json_object_get(v, "expire"));
	t->salt = (uint32_t)json_integer_value(json_object_get(v, "salt"));
	for (i = 0; i < json_array_size(svcs); i++)
		fill_service(&t->services[t->n_services++], json_array_get(svcs, i), ps);
}

static void test_007_vectors(json_t *root)
{
	json_t *vectors = json_object_get(root, "vectors"), *others = json_object_get(root, "other_compressors");
	size_t i, j;

	ok(json_array_size(vectors) >= 17, "at least 17 AccessToken2 vectors (%zu)", json_array_size(vectors));
	for (i = 0; i < json_array_size(vectors); i++) {
		json_t *v = json_array_get(vectors, i);
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *want = json_string_value(json_object_get(v, "token"));
		const char *cert = json_string_value(json_object_get(v, "app_certificate"));
		static struct perm_store ps;
		struct token2 t, p;
		char out[TOKEN_BUF_SIZE];
		size_t len = 0;

		memset(&ps, 0, sizeof(ps));
		vector_from_json(v, &t, &ps);
		is_int(token2_build(&t, cert, out, sizeof(out), &len), TOKEN_OK, "%s builds", id);
		is_str(out, want, "%s byte for byte", id);
		is_int(len, strlen(want), "%s length reported", id);

		is_int(token2_parse(&p, want, strlen(want)), TOKEN_OK, "%s parses", id);
		ok(same_token(&p, &t), "%s parsed fields equal the inputs", id);
		is_int(token2_verify(&p, cert), TOKEN_OK, "%s verifies", id);
		is_int(token2_verify(&p, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), TOKEN_ERR_SIGNATURE, "%s refuses another certificate", id);
		token2_free(&p);

		for (j = 0; j < json_array_size(others); j++) {
			json_t *o = json_array_get(others, j);
			const char *tok = json_string_value(json_object_get(o, "token"));
			if (strcmp(json_string_value(json_object_get(o, "id")), id) != 0)
				continue;
			is_int(token2_parse(&p, tok, strlen(tok)), TOKEN_OK, "%s from %s parses", id,
				json_string_value(json_object_get(o, "compressor")));
			ok(same_token(&p, &t), "%s from another compressor has the same fields", id);
			is_int(token2_verify(&p, cert), TOKEN_OK, "%s from another compressor verifies", id);
			token2_free(&p);
		}
	}
}

/* The same vectors through the builders with the official semantics. */
static void test_builders(json_t *root)
{
	json_t *vectors = json_object_get(root, "vectors");
	struct token_key k = { APP_ID, CERT, 1111111, 1 };
	struct token_rtc r;
	char out[TOKEN_BUF_SIZE];
	size_t i, j;

	for (i = 0; i < 10; i++) {
		const char *id = NULL;
		enum token_err e = TOKEN_OK;
		switch (i) {
		case 0: id = "V1"; token_rtc_init(&r, "7d72365eb983485397e3e3f9d460bdda", 2882341273u, TOKEN_ROLE_SUBSCRIBER, 600, 600); e = token_build_rtc(out, sizeof(out), &k, &r); break;
		case 1: id = "V2"; token_rtc_init(&r, "7d72365eb983485397e3e3f9d460bdda", 0, TOKEN_ROLE_SUBSCRIBER, 600, 600); e = token_build_rtc(out, sizeof(out), &k, &r); break;
		case 2: id = "V3"; e = token_build_rtm(out, sizeof(out), &k, "2882341273", 600); break;
		case 3: id = "V4"; e = token_build_rtm(out, sizeof(out), &k, "test_user", 600); break;
		case 4: id = "V5"; e = token_build_chat_user(out, sizeof(out), &k, "2882341273", 600); break;
		case 5: id = "V6"; e = token_build_chat_app(out, sizeof(out), &k, 600); break;
		case 6: id = "V7"; e = token_build_apaas_room_user(out, sizeof(out), &k, "123", "2882341273", 1, 600); break;
		case 7: id = "V8"; e = token_build_apaas_user(out, sizeof(out), &k, "2882341273", 600); break;
		case 8: id = "V9"; e = token_build_apaas_app(out, sizeof(out), &k, 600); break;
		case 9: id = "V14"; token_rtc_init(&r, "7d72365eb983485397e3e3f9d460bdda", 2882341273u, TOKEN_ROLE_PUBLISHER, 600, 600);
			r.rtm_user = "test_user"; r.rtm_expire = 600; e = token_build_rtc(out, sizeof(out), &k, &r); break;
		}
		for (j = 0; j < json_array_size(vectors); j++) {
			json_t *v = json_array_get(vectors, j);
			if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0) {
				is_int(e, TOKEN_OK, "builder for %s succeeds", id);
				is_str(out, json_string_value(json_object_get(v, "token")), "builder for %s: byte for byte", id);
			}
		}
	}
}

static void test_006_vectors(json_t *root)
{
	json_t *vectors = json_object_get(root, "vectors");
	size_t i;

	ok(json_array_size(vectors) >= 5, "at least 5 AccessToken vectors");
	for (i = 0; i < json_array_size(vectors); i++) {
		json_t *v = json_array_get(vectors, i), *priv = json_object_get(v, "privileges"), *val;
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *want = json_string_value(json_object_get(v, "token"));
		const char *cert = json_string_value(json_object_get(v, "app_certificate"));
		struct token_bytes ch = jbytes(v, "channel"), uid = jbytes(v, "uid");
		struct token_privilege p[TOKEN_MAX_PRIVILEGES];
		struct token1 t;
		size_t n = 0;
		const char *key;
		char out[TOKEN_BUF_SIZE];
		uint32_t salt = (uint32_t)json_integer_value(json_object_get(v, "salt"));
		uint32_t ts = (uint32_t)json_integer_value(json_object_get(v, "ts"));

		json_object_foreach(priv, key, val) {
			p[n].id = (uint16_t)atoi(key);
			p[n++].value = (uint32_t)json_integer_value(val);
		}
		is_int(token1_build(out, sizeof(out), json_string_value(json_object_get(v, "app_id")), cert, ch, uid,
			salt, ts, p, n), TOKEN_OK, "%s builds", id);
		is_str(out, want, "%s byte for byte", id);
		is_int(token1_parse(&t, want, strlen(want)), TOKEN_OK, "%s parses", id);
		ok(t.salt == salt && t.ts == ts && t.n_privileges == n && strcmp(t.app_id, APP_ID) == 0,
			"%s parsed salt, ts, app id and privilege count", id);
		is_int(token1_verify(&t, cert, ch, uid), TOKEN_OK, "%s verifies with its channel and uid", id);
		is_int(token1_verify(&t, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ch, uid), TOKEN_ERR_SIGNATURE, "%s refuses another certificate", id);
		ch.len = ch.len ? ch.len - 1 : 0;
		is_int(token1_verify(&t, cert, ch, jbytes(v, "channel")), TOKEN_ERR_MISMATCH, "%s refuses another channel/uid", id);
	}
	{
		/* the 006 builders with their role semantics */
		struct token_key k = { APP_ID, CERT, 0, 1 };
		char out[TOKEN_BUF_SIZE];
		const char *w1 = json_string_value(json_object_get(json_array_get(vectors, 0), "token"));
		const char *w4 = json_string_value(json_object_get(json_array_get(vectors, 3), "token"));
		const char *w5 = json_string_value(json_object_get(json_array_get(vectors, 4), "token"));
		token1_build_rtc(out, sizeof(out), &k, "7d72365eb983485397e3e3f9d460bdda", NULL, 2882341273u, TOKEN1_ROLE_SUBSCRIBER, 1446455471u, 1111111);
		is_str(out, w1, "006 rtc subscriber builder = W1");
		token1_build_rtc(out, sizeof(out), &k, "7d72365eb983485397e3e3f9d460bdda", NULL, 2882341273u, TOKEN1_ROLE_PUBLISHER, 1446455471u, 1111111);
		is_str(out, w4, "006 rtc publisher builder = W4");
		token1_build_rtm(out, sizeof(out), &k, "test_user", 1446455471u, 1111111);
		is_str(out, w5, "006 rtm builder = W5");
	}
}

static json_t *load(const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	if (j == NULL)
		printf("# cannot read %s: %s (run from the project root)\n", path, err.text);
	return j;
}

int main(void)
{
	json_t *v2 = load(V2_PATH), *v1 = load(V1_PATH);

	ok(v2 != NULL && v1 != NULL, "vector files load");
	if (v2 != NULL) {
		test_007_vectors(v2);
		test_builders(v2);
	}
	if (v1 != NULL)
		test_006_vectors(v1);
	json_decref(v2);
	json_decref(v1);
	return done();
}
