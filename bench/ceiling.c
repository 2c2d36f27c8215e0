/* SPDX-License-Identifier: MIT */
/* ceiling.c - the stack's ceiling: answers every request with a fixed JSON body of the size of a
 * token.fcgi RTC answer, with the same headers. FastCGI loop by default; -DCEILING_CGI: plain CGI;
 * -DCEILING_ENCODER: the FastCGI loop plus one token from the library per answer, and nothing else
 * (no configuration, parsing, routing or policy): what a token server could do at best. */
#include <string.h>
#ifdef CEILING_ENCODER
#include <fcgi_stdio.h>
#include "agora_token.h"
#elif defined(CEILING_CGI)
#include <stdio.h>
#else
#include <fcgi_stdio.h>
#endif

#ifndef CEILING_ENCODER
/* 290 bytes, as token.fcgi's /rtc/CH/publisher/uid/1234/?expiry=3600 */
static char body[] =
	"{\"rtcToken\": \"007eJxTYPi5se9UaJjT1aaMMOcmr8TFR3nrV0jV71rFubDrzt2tTx4oMFiaGzg7GpumpJoZJJuYmJmYJ"
	"iUlplokGhmaGpgZJhkb22twZQvwMTDU/QlhZGRgZGABYhCfCUwyg0kWqIizBwuDoZGxCQDQAB6f\", \"channel\": \"CH\", "
	"\"uid\": 1234, \"role\": \"publisher\", \"issuedAt\": 1795827775, \"expiresIn\": 3600, "
	"\"expiresAt\": 1795831375}";

static char head[] =
	"Status: 200 OK\r\n"
	"Content-Type: application/json; charset=utf-8\r\n"
	"Content-Length: 290\r\n"
	"Cache-Control: no-store\r\nPragma: no-cache\r\nExpires: 0\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"Access-Control-Allow-Origin: *\r\n"
	"\r\n";

_Static_assert(sizeof(body) - 1 == 290, "the body is as long as token.fcgi's");
#endif

int main(void)
{
#ifdef CEILING_ENCODER
	static char out[1024], hb[512], token[TOKEN_BUF_SIZE];

	while (FCGI_Accept() >= 0) {
		struct token_key k = { "970CA35de60c44645bbae8a215061b33", "5CFd2fd1755d40ecb72977518be15d3b", 0, 0 };
		struct token_rtc r;
		int n, b;

		token_key_stamp(&k);
		token_rtc_init(&r, "CH", 1234, TOKEN_ROLE_PUBLISHER, 3600, 3600);
		if (token_build_rtc(token, sizeof(token), &k, &r) != TOKEN_OK)
			return 1;
		b = snprintf(out, sizeof(out), "{\"rtcToken\": \"%s\", \"channel\": \"CH\", \"uid\": 1234, "
			"\"role\": \"publisher\", \"issuedAt\": %u, \"expiresIn\": 3600, \"expiresAt\": %u}",
			token, (unsigned)k.issue_ts, (unsigned)k.issue_ts + 3600);
		n = snprintf(hb, sizeof(hb), "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
			"Content-Length: %d\r\nCache-Control: no-store\r\nPragma: no-cache\r\nExpires: 0\r\n"
			"X-Content-Type-Options: nosniff\r\nAccess-Control-Allow-Origin: *\r\n\r\n", b);
		fwrite(hb, 1, (size_t)n, stdout);
		fwrite(out, 1, (size_t)b, stdout);
	}
#elif defined(CEILING_CGI)
	fwrite(head, 1, sizeof(head) - 1, stdout);
	fwrite(body, 1, sizeof(body) - 1, stdout);
#else
	while (FCGI_Accept() >= 0) {
		fwrite(head, 1, sizeof(head) - 1, stdout);
		fwrite(body, 1, sizeof(body) - 1, stdout);
	}
#endif
	return 0;
}
