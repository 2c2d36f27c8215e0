/* SPDX-License-Identifier: MIT */
/* test_cfg_secret.c - the *_file form of the secret keys (cfg_secret.c) through config_load: each
 * key loads from a file, relative paths and $CREDENTIALS_DIRECTORY, the refusals (mode, ACL, both
 * forms, empty, directory, too large), line ends, symlinks, and the stats kept for a reload. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "config/config.h"
#include "tap.h"

#define ID    "970CA35de60c44645bbae8a215061b33"
#define CERT  "5CFd2fd1755d40ecb72977518be15d3b"
#define CERT2 "fedcba9876543210fedcba9876543210"
#define KEY1  "k1-file-0123456789abcdef"
#define KEY2  "k2-file-0123456789abcdef"
#define KEY3  "k3-file-0123456789abcdef"
#define SIGN  "signing-secret-from-a-file-01"
#define HS    "hs256-secret-from-a-file-0123456789abcdef"
#define REDPW "redis-password-from-a-file"

static char dir[64], ini[128];
static struct config c;
static char err[512];

/* DIR/name with exactly n bytes of text and mode; returns the path */
static const char *put(const char *name, const char *text, size_t n, mode_t mode)
{
	static char p[16][256];
	static int k;
	char *out = p[k++ % 16];
	int fd;

	snprintf(out, 256, "%s/%s", dir, name);
	unlink(out);
	if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || write(fd, text, n) != (ssize_t)n ||
	    fchmod(fd, mode) != 0 || close(fd) != 0) {
		perror(out);
		exit(99);
	}
	return out;
}

#define PUT(name, text, mode) put(name, text, sizeof(text) - 1, mode)

static int load(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int load(const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	put("token.ini", text, strlen(text), 0600);
	config_free(&c);
	err[0] = '\0';
	return config_load(&c, ini, err, sizeof(err));
}

/* refused, with a reason holding each of the wanted strings and no secret */
static void refused(int rc, const char *desc, const char *want1, const char *want2)
{
	if (!ok(rc == -1 && strstr(err, want1) != NULL && (want2 == NULL || strstr(err, want2) != NULL),
		"%s: refused", desc))
		printf("#   rc %d, err: %s\n", rc, err);
	ok(strstr(err, CERT) == NULL && strstr(err, "5CFd2fd1755d") == NULL && strstr(err, KEY1) == NULL &&
		strstr(err, "signing-secret") == NULL, "%s: the reason holds no secret: %s", desc, err);
}

static void test_each_key(void)
{
	const char *cert = PUT("cert", CERT "\n", 0600), *cert2 = PUT("cert2", CERT2 "\r\n", 0400);
	const char *keys = PUT("keys", KEY1 "\n" KEY2 ", " KEY3 "\r\n\n", 0600);
	const char *sign = PUT("sign", SIGN "\n\n", 0600), *hs = PUT("hs", HS, 0600);

	is_int(load("[app]\napp_id = %s\napp_certificate_file = %s\n[app:second]\napp_id = %s\n"
		"app_certificate_file = \"%s\"\n[auth]\nmode = key, signed\nkeys_file = %s\nsecret_file = %s\n",
		ID, cert, ID, cert2, keys, sign), 0, "app_certificate_file, keys_file and secret_file load");
	is_str(err, "", "without a reason");
	is_str(c.apps[0].app_cert, CERT, "[app]: the certificate from the file, its line end trimmed");
	is_str(c.apps[1].app_cert, CERT2, "[app:second]: a CR LF line end is trimmed too (mode 400 is fine)");
	is_int(c.n_keys, 3, "keys_file: three keys, one a line or separated by commas");
	ok(c.n_keys == 3 && strcmp(c.keys[0], KEY1) == 0 && strcmp(c.keys[1], KEY2) == 0 &&
		strcmp(c.keys[2], KEY3) == 0, "each key as written");
	is_str(c.secret, SIGN "\n", "secret_file: of two final line ends only one is trimmed");
	is_int(c.secret_files.n, 4, "four secret files are kept for the reload check");
	ok(c.secret_files.n == 4 && strcmp(c.secret_files.f[0].path, cert) == 0 && c.secret_files.f[0].found,
		"with their paths and stats");

	is_int(load("[app]\napp_id = %s\napp_certificate = %s\n[jwt:x]\nissuer = https://i/\naudience = a\n"
		"algorithms = HS256\nsecret_file = %s\n", ID, CERT, hs), 0,
		"[jwt:NAME] secret_file loads (a file without a line end)");
	ok(c.jwt.n == 1 && c.jwt.iss[0].secret_len == strlen(HS) && memcmp(c.jwt.iss[0].secret, HS, strlen(HS)) == 0,
		"the HS secret as written");

	is_int(load("[app]\napp_id = %s\napp_certificate = %s\n[limits]\nstore = redis\nredis = localhost:6379\n"
		"redis_password_file = %s\n", ID, CERT, PUT("redis", REDPW "\n", 0600)), 0,
		"[limits] redis_password_file loads");
	is_str(c.store.redis_password, REDPW, "the password as written");
}

static void test_paths(void)
{
	char abs[256];

	PUT("cert", CERT "\n", 0600);
	unsetenv("CREDENTIALS_DIRECTORY");
	refused(load("[app]\napp_id = %s\napp_certificate_file = cert\n", ID),
		"a relative path without $CREDENTIALS_DIRECTORY", "[app] app_certificate_file: cert is a relative path",
		"$CREDENTIALS_DIRECTORY (systemd's LoadCredential=), which is not set");
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	is_int(load("[app]\napp_id = %s\napp_certificate_file = cert\n", ID), 0,
		"a relative path is looked up in $CREDENTIALS_DIRECTORY");
	is_str(c.apps[0].app_cert, CERT, "and read from there");
	snprintf(abs, sizeof(abs), "%s/cert", dir);
	ok(c.secret_files.n == 1 && strcmp(c.secret_files.f[0].path, abs) == 0, "its path kept as opened");
	refused(load("[app]\napp_id = %s\napp_certificate_file = ../x/cert\n", ID), "a relative path with ..",
		"stays inside $CREDENTIALS_DIRECTORY", NULL);
	setenv("CREDENTIALS_DIRECTORY", "relative/dir", 1);
	refused(load("[app]\napp_id = %s\napp_certificate_file = cert\n", ID), "a relative $CREDENTIALS_DIRECTORY",
		"$CREDENTIALS_DIRECTORY is not an absolute path", NULL);
	unsetenv("CREDENTIALS_DIRECTORY");

	/* config_credentials_dir: what a FastCGI process read before its first request wins */
	config_credentials_dir(dir);
	is_int(load("[app]\napp_id = %s\napp_certificate_file = cert\n", ID), 0,
		"config_credentials_dir() is used, whatever the environment says");
	config_credentials_dir(NULL);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	refused(load("[app]\napp_id = %s\napp_certificate_file = cert\n", ID),
		"config_credentials_dir(NULL): none, even with the variable set now", "is a relative path", NULL);
	unsetenv("CREDENTIALS_DIRECTORY");
}

static void test_refusals(void)
{
	const char *p;
	char big[CFG_SECRET_FILE_MAX + 2];

	p = PUT("cert", CERT "\n", 0644);
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, p), "a world-readable file",
		"[app] app_certificate_file: ", "group or others can read it (mode 0644)");
	ok(strstr(err, p) != NULL, "the reason names the path: %s", err);
	ok(c.n_apps == 0 && c.apps[0].app_cert[0] == '\0', "nothing half-loaded is left");
	ok(c.secret_files.n == 1 && c.secret_files.f[0].found, "but the file's stat is kept, for a reload once fixed");
	p = PUT("cert", CERT "\n", 0640);
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, p), "a group-readable file",
		"group or others can read it (mode 0640)", p);
	p = PUT("keys", KEY1 "\n", 0604);
	refused(load("[app]\napp_id = %s\napp_certificate = %s\n[auth]\nkeys_file = %s\n", ID, CERT, p),
		"keys_file readable by others", "[auth] keys_file: ", "(mode 0604)");
	p = PUT("cert", CERT "\n", 0600);
	refused(load("[app]\napp_id = %s\napp_certificate = %s\napp_certificate_file = %s\n", ID, CERT, p),
		"app_certificate and app_certificate_file", "[app] app_certificate_file: app_certificate is given too (line 3)",
		"not both");
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\napp_certificate = %s\n", ID, p, CERT),
		"app_certificate_file, then app_certificate", "[app] app_certificate: app_certificate_file is given too (line 3)",
		NULL);
	refused(load("[app]\napp_id = %s\napp_certificate = %s\n[auth]\nsecret = %s\nsecret_file = %s\n", ID, CERT,
		SIGN, PUT("sign", SIGN, 0600)), "secret and secret_file", "[auth] secret_file: secret is given too", NULL);
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\napp_certificate_file = %s\n", ID, p, p),
		"app_certificate_file twice", "[app] app_certificate_file: given twice (lines 3 and 4)", NULL);
	p = PUT("cert", CERT "\n\n", 0600);
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, p),
		"a certificate with two line ends (one is kept)", "[app] app_certificate_file: ", "must be 32 hex characters");
	ok(strstr(err, "quote it") == NULL, "without the ini's quoting hint: %s", err);
	p = PUT("cert", "", 0600);
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, p), "an empty file", p, ": empty");
	p = PUT("cert", "\r\n", 0600);
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, p), "a file of a line end",
		"holds only a line end", NULL);
	p = put("cert", CERT "\0\n", sizeof(CERT) + 1, 0600);
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, p), "a NUL byte", "holds a NUL byte", NULL);
	memset(big, 'k', sizeof(big));
	p = put("keys", big, sizeof(big), 0600);
	refused(load("[app]\napp_id = %s\napp_certificate = %s\n[auth]\nkeys_file = %s\n", ID, CERT, p),
		"a file too large", "larger than 8192 bytes", NULL);
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, dir), "a directory", dir,
		"not a regular file");
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s/missing\n", ID, dir), "a missing file",
		"/missing: cannot open: No such file or directory", NULL);
	ok(c.secret_files.n == 1 && !c.secret_files.f[0].found, "kept as missing: its creation is a change");
	ok(!config_secret_changed(&c.secret_files.f[0]), "still missing: no change");
	p = PUT("missing", CERT, 0600);
	ok(config_secret_changed(&c.secret_files.f[0]), "created: a change");
	unlink(p);
	p = PUT("sign", "short\n", 0600);
	refused(load("[app]\napp_id = %s\napp_certificate = %s\n[auth]\nsecret_file = %s\n", ID, CERT, p),
		"secret_file with a short secret", "[auth] secret_file: ", "must be 16 to 255 bytes");
	ok(strstr(err, "short") == NULL || strstr(err, "short") > strstr(err, "must"), "the value is not echoed");
}

/* Kubernetes mounts a secret as NAME -> ..data/NAME, ..data -> ..2024_01_01_00_00_00.1/: the admin's
 * links are followed, and the kept stat is the file's, so a swapped ..data is a change. */
static void test_symlinks_and_changes(void)
{
	char real1[128], real2[128], data[128], link[128], tmp[300];
	const struct cfg_secret_file *f;

	snprintf(real1, sizeof(real1), "%s/..v1", dir);
	snprintf(real2, sizeof(real2), "%s/..v2", dir);
	snprintf(data, sizeof(data), "%s/..data", dir);
	snprintf(link, sizeof(link), "%s/app_certificate", dir);
	snprintf(tmp, sizeof(tmp), "%s/..data_tmp", dir);
	mkdir(real1, 0700);
	mkdir(real2, 0700);
	PUT("..v1/app_certificate", CERT "\n", 0400);
	PUT("..v2/app_certificate", CERT2 "\n", 0400);
	if (symlink("..v1", data) != 0 || symlink("..data/app_certificate", link) != 0) {
		perror("symlink");
		exit(99);
	}
	is_int(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, link), 0, "a file behind two symlinks loads");
	is_str(c.apps[0].app_cert, CERT, "the certificate of the file the links lead to");
	f = &c.secret_files.f[0];
	ok(!config_secret_changed(f), "unchanged: no reload");
	if (symlink("..v2", tmp) != 0 || rename(tmp, data) != 0) {
		perror("swap ..data");
		exit(99);
	}
	ok(config_secret_changed(f), "..data swapped to another version: a change");
	is_int(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, link), 0, "and the reload reads it");
	is_str(c.apps[0].app_cert, CERT2, "the new certificate");
	f = &c.secret_files.f[0];
	chmod(real2, 0700);
	{
		char p2[300];

		snprintf(p2, sizeof(p2), "%s/app_certificate", real2);
		chmod(p2, 0600);
		ok(config_secret_changed(f), "a chmod is a change (a refused file fixed in place reloads)");
		unlink(p2);
	}
	ok(config_secret_changed(f), "a file gone is a change");
	unlink(link);
	unlink(data);
	snprintf(tmp, sizeof(tmp), "%s/app_certificate", real1);
	unlink(tmp);
	rmdir(real1);
	rmdir(real2);
}

/* With a POSIX ACL the group bits of the mode are the ACL's mask: systemd gives a credential (0400,
 * root's) to a unit's User= by an entry for that user, which ls shows as 0440. That entry is the
 * running user and passes; one for another user is refused. */
static void set_acl(const char *p, unsigned user, int *done)
{
	unsigned char a[4 + 5 * 8];
	static const unsigned tags[5] = { 0x01, 0x02, 0x04, 0x10, 0x20 };
	static const unsigned perms[5] = { 4, 4, 0, 4, 0 };
	int i, k;

	memset(a, 0, sizeof(a));
	a[0] = 2;
	for (i = 0; i < 5; i++) {
		unsigned id = i == 1 ? user : 0xffffffffu;
		unsigned char *e = a + 4 + 8 * i;

		e[0] = (unsigned char)tags[i];
		e[2] = (unsigned char)perms[i];
		for (k = 0; k < 4; k++)
			e[4 + k] = (unsigned char)(id >> (8 * k));
	}
	*done = setxattr(p, "system.posix_acl_access", a, sizeof(a), 0) == 0;
	if (!*done)
		printf("# setxattr: %s\n", strerror(errno));
}

static void test_acl(void)
{
	const char *p = PUT("cred", CERT "\n", 0400);
	struct stat st;
	int done;

	/* owned by another user, so that the entry for us is not the owner's */
	if (chown(p, 65534, 65534) != 0 && geteuid() == 0) {
		perror("chown");
		exit(99);
	}
	set_acl(p, (unsigned)geteuid(), &done);
	if (!done || geteuid() != 0) {
		ok(1, "ACL: # SKIP the file system takes no ACL here, or not run as root (chown)");
		return;
	}
	stat(p, &st);
	is_int(st.st_mode & 0777, 0440, "an ACL entry for the running user shows as mode 0440");
	is_int(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, p), 0,
		"and loads: nobody but the owner and the running user can read it");
	set_acl(p, 12345, &done);
	refused(load("[app]\napp_id = %s\napp_certificate_file = %s\n", ID, p), "an ACL entry for another user",
		"group or others can read it (mode 0440 and an ACL)", NULL);
}

int main(void)
{
	strcpy(dir, "/tmp/test_cfg_secret.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(ini, sizeof(ini), "%s/token.ini", dir);
	test_each_key();
	test_paths();
	test_refusals();
	test_symlinks_and_changes();
	test_acl();
	config_free(&c);
	{
		static const char *const names[] = { "token.ini", "cert", "cert2", "keys", "sign", "hs", "redis", "cred" };
		size_t i;
		char p[256];

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
			unlink(p);
		}
	}
	rmdir(dir);
	return done();
}
