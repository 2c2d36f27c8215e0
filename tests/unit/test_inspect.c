/* SPDX-License-Identifier: MIT */
/* test_inspect.c - the inspection entry points refuse missing arguments before reading any of them
 * (inspect_doctor_json once read d->at before its NULL check), and judge a real token. */
#include "common/inspect.h"
#include "tap.h"

int main(void)
{
	static const char tok[] = "007eJxTYPi5se9UaJjT1aaMMOcmr8TFR3nrV0jV71rFubDrzt2tTx4o+/=";
	struct doctor_in d;
	struct jbuf jb;
	char buf[4096];

	jb_init(&jb, buf, sizeof(buf));
	is_int(inspect_doctor_json(&jb, tok, sizeof(tok) - 1, NULL), TOKEN_ERR_ARG, "the doctor without its input: refused");
	memset(&d, 0, sizeof(d));
	is_int(inspect_doctor_json(NULL, tok, sizeof(tok) - 1, &d), TOKEN_ERR_ARG, "the doctor without a buffer: refused");
	is_int(inspect_doctor_json(&jb, NULL, 0, &d), TOKEN_ERR_ARG, "the doctor without a token: refused");
	is_int(inspect_token_json(NULL, tok, sizeof(tok) - 1, NULL, 0), TOKEN_ERR_ARG, "inspect without a buffer: refused");
	ok(inspect_doctor_json(&jb, "xyz", 3, &d) == TOKEN_ERR_VERSION, "a token of no known version: refused by version");
	is_str(inspect_service_name(1), "rtc", "service 1 is rtc");
	return done();
}
