/* cfg_jwt.c - the [jwt:NAME] sections: their keys, each with a strict parser, and the checks
 * across keys once the file is read (http-api section 5.2). */
#include <string.h>

#include "common/cfg_jwt.h"

static const char *const alg_names[CFG_JWT_ALG__MAX] = {
	[CFG_JWT_RS256] = "RS256", [CFG_JWT_RS384] = "RS384", [CFG_JWT_RS512] = "RS512",
	[CFG_JWT_PS256] = "PS256", [CFG_JWT_ES256] = "ES256", [CFG_JWT_ES384] = "ES384",
	[CFG_JWT_EDDSA] = "EdDSA", [CFG_JWT_HS256] = "HS256", [CFG_JWT_HS384] = "HS384",
	[CFG_JWT_HS512] = "HS512",
};

enum cfg_jwt_alg cfg_jwt_alg(const char *name)
{
	int a;

	for (a = 0; a < CFG_JWT_ALG__MAX; a++)
		if (name != NULL && strcmp(name, alg_names[a]) == 0)
			return (enum cfg_jwt_alg)a;
	return CFG_JWT_ALG__MAX;
}

const char *cfg_jwt_alg_name(enum cfg_jwt_alg a)
{
	return a < CFG_JWT_ALG__MAX ? alg_names[a] : "?";
}

void cfg_jwt_defaults(struct cfg_jwt *j)
{
	memset(j, 0, sizeof(*j));
	j->leeway = CFG_JWT_LEEWAY;
	strcpy(j->identity, "sub");
}
