/* SPDX-License-Identifier: MIT */
/* jwt_fetch.c - GET of a JWKS over HTTPS with libcurl, loaded with dlopen when a fetch is due: a
 * CGI request served from the cache never pays for loading libcurl and the libraries it needs. */
#include <ctype.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "auth/jwt_fetch.h"

#ifndef JWT_LIBCURL
#define JWT_LIBCURL "libcurl.so.4"
#endif
#define FETCH_TIMEOUT_MS 5000L

static struct {
	int tried;
	void *lib;
	CURL *(*init)(void);
	CURLcode (*setopt)(CURL *, CURLoption, ...);
	CURLcode (*perform)(CURL *);
	CURLcode (*getinfo)(CURL *, CURLINFO, ...);
	void (*cleanup)(CURL *);
	const char *(*strerror)(CURLcode);
} curl;

static int load_curl(char *why, size_t whylen)
{
	if (!curl.tried) {
		curl.tried = 1;
		if ((curl.lib = dlopen(JWT_LIBCURL, RTLD_NOW | RTLD_LOCAL)) != NULL) {
			*(void **)&curl.init = dlsym(curl.lib, "curl_easy_init");
			*(void **)&curl.setopt = dlsym(curl.lib, "curl_easy_setopt");
			*(void **)&curl.perform = dlsym(curl.lib, "curl_easy_perform");
			*(void **)&curl.getinfo = dlsym(curl.lib, "curl_easy_getinfo");
			*(void **)&curl.cleanup = dlsym(curl.lib, "curl_easy_cleanup");
			*(void **)&curl.strerror = dlsym(curl.lib, "curl_easy_strerror");
		}
	}
	if (curl.init == NULL || curl.setopt == NULL || curl.perform == NULL || curl.getinfo == NULL ||
	    curl.cleanup == NULL || curl.strerror == NULL) {
		snprintf(why, whylen, "%s cannot be loaded (install libcurl4, or use jwks_file)", JWT_LIBCURL);
		return -1;
	}
	return 0;
}

struct sink {
	char *buf;
	size_t cap, len;
	int too_big;
	long max_age;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	n *= size;
	if (s->len + n > s->cap) {
		s->too_big = 1;
		return 0;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return n;
}

/* Cache-Control: ..., max-age=N, ...: N seconds (no-store or no-cache: 0). */
long jwt_max_age(const char *v, size_t n)
{
	char line[512];
	const char *p;

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, v, n);
	line[n] = '\0';
	for (p = line; *p != '\0'; p++)
		if (strncasecmp(p, "max-age=", 8) == 0 && (p == line || p[-1] == ' ' || p[-1] == ',')) {
			long a = 0;

			for (p += 8; isdigit((unsigned char)*p) && a < 100000000L; p++)
				a = a * 10 + (*p - '0');
			return a;
		}
	if (strstr(line, "no-store") != NULL || strstr(line, "no-cache") != NULL)
		return 0;
	return -1;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	(void)size;
	if (n > 14 && strncasecmp(p, "Cache-Control:", 14) == 0)
		s->max_age = jwt_max_age(p + 14, n - 14);
	return n;
}

int jwt_fetch(const char *url, const char *ca_file, char *buf, size_t cap, size_t *len, long *max_age,
	char *why, size_t whylen)
{
	struct sink s = { buf, cap, 0, 0, -1 };
	char err[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;
	CURL *h;

	if (load_curl(why, whylen) != 0)
		return -1;
	if ((h = curl.init()) == NULL) {
		snprintf(why, whylen, "curl_easy_init failed");
		return -1;
	}
	curl.setopt(h, CURLOPT_URL, url);
	/* HTTPS only, no redirect to anywhere else, verified against the system's CAs or ca_file */
	curl.setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl.setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl.setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl.setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file != NULL && ca_file[0] != '\0')
		curl.setopt(h, CURLOPT_CAINFO, ca_file);
	curl.setopt(h, CURLOPT_TIMEOUT_MS, FETCH_TIMEOUT_MS);
	curl.setopt(h, CURLOPT_CONNECTTIMEOUT_MS, FETCH_TIMEOUT_MS);
	curl.setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl.setopt(h, CURLOPT_MAXFILESIZE, (long)cap);
	curl.setopt(h, CURLOPT_USERAGENT, "agora-token-fcgi");
	curl.setopt(h, CURLOPT_ERRORBUFFER, err);
	curl.setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl.setopt(h, CURLOPT_WRITEDATA, &s);
	curl.setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl.setopt(h, CURLOPT_HEADERDATA, &s);
	rc = curl.perform(h);
	curl.getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl.cleanup(h);
	if (s.too_big)
		snprintf(why, whylen, "the answer is larger than %zu bytes", cap);
	else if (rc != CURLE_OK)
		snprintf(why, whylen, "%s", err[0] != '\0' ? err : curl.strerror(rc));
	else if (status != 200)
		snprintf(why, whylen, "HTTP status %ld", status);
	else {
		*len = s.len;
		*max_age = s.max_age;
		return 0;
	}
	return -1;
}
