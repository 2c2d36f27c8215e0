/* SPDX-License-Identifier: MIT */
/* main.c - the accept loop, and the only file that sees libfcgi: under a FastCGI server it
 * serves requests until SIGTERM; run as CGI or from a shell it answers one and exits. */
#include <fcgi_stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/version.h"
#include "server/info.h"
#include "server/server.h"

static size_t body_read(char *buf, size_t n)
{
	return fread(buf, 1, n, stdin);
}

int main(int argc, char **argv)
{
	/* static: a request's buffers are reused, not allocated, from one request to the next */
	static struct server srv;
	static struct resp resp;
	const char *why;
	int warned = 0;

	/* from a shell only: a CGI request's query without '=' can reach argv too */
	if (argc > 1 && strcmp(argv[1], "--version") == 0 && getenv("REQUEST_METHOD") == NULL) {
		/* write(2): fcgi_stdio's stdout is not set up before the first FCGI_Accept */
		const char *v = version_text("token.fcgi", "redis jwt");

		return write(STDOUT_FILENO, v, strlen(v)) == (ssize_t)strlen(v) ? 0 : 1;
	}
	/* after the first accept, environ is the request's: process variables must be read now */
	/* systemd's LoadCredential= directory, where a relative *_file path of the ini lies */
	config_credentials_dir(getenv("CREDENTIALS_DIRECTORY"));
	/* a web server's CGI run (GATEWAY_INTERFACE set) is one request of many: its ini is named in
	 * the error log only beside a warning; run by hand (the self-test), it is always named */
	why = server_init(&srv, getenv("AGORA_TOKEN_CONFIG"), argv[0],
		FCGX_IsCGI() && getenv("GATEWAY_INTERFACE") != NULL);
	if (why != NULL)
		fprintf(stderr, "token.fcgi: configuration: %s\n", why);
	/* a FastCGI process's requests are timed for the metrics; a CGI run's own clock would miss the
	 * web server's fork and exec, most of what its client waits */
	srv.fastcgi = !FCGX_IsCGI();
	/* libfcgi's own SIGTERM handler makes the next FCGI_Accept return -1, so the request in
	 * flight is finished first; in CGI mode the second call returns -1 */
	while (FCGI_Accept() >= 0) {
		struct cgi c = {
			.method = getenv("REQUEST_METHOD"),
			.query = getenv("QUERY_STRING"),
			.path_info = getenv("PATH_INFO"),
			.origin = getenv("HTTP_ORIGIN"),
			.authorization = getenv("HTTP_AUTHORIZATION"),
			.api_key = getenv("HTTP_X_API_KEY"),
			.content_length = getenv("CONTENT_LENGTH"),
			.read_body = body_read,
			.remote_addr = getenv("REMOTE_ADDR"),
			.forwarded_for = getenv("HTTP_X_FORWARDED_FOR"),
			.forwarded = getenv("HTTP_FORWARDED"),
		};

		server_handle(&srv, &c, &resp);
		/* once per FastCGI process, in the web server's error log with the first request; a CGI
		 * run is one request whose log stays its own (/health says it there) */
		if (!warned && !FCGX_IsCGI() && server_demo(&srv))
			fprintf(stderr, "token.fcgi: warning: %s\n", INFO_DEMO_WARNING);
		warned = 1;
		fwrite(resp.head, 1, resp.head_len, stdout);
		fwrite((void *)resp.out, 1, resp.body_len, stdout);    /* libfcgi's fwrite takes no const */
		if (resp.log[0] != '\0')
			fprintf(stderr, "%s\n", resp.log);
	}
	server_free(&srv);
	return 0;
}
