/* ceiling.c - the stack's ceiling: answers every request with a fixed JSON body of the size of a
 * token.fcgi RTC answer, with the same headers. FastCGI loop by default; -DCEILING_CGI: plain CGI. */
#include <string.h>
#ifdef CEILING_CGI
#include <stdio.h>
#else
#include <fcgi_stdio.h>
#endif

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

int main(void)
{
#ifdef CEILING_CGI
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
