/* SPDX-License-Identifier: MIT */
/* config.c - the ini file (http-api section 5): read once, through one descriptor, into a buffer
 * of our own; tokenized here and only here (so the bytes that are checked are the bytes that are
 * used); each key handed to the table of the section that declares it (cfg_*.c). The buffer holds
 * the certificate and the secrets: it is wiped before it is freed. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

extern const struct cfg_section cfg_app_section, cfg_token_section, cfg_cors_section, cfg_auth_section,
	cfg_limits_section, cfg_jwt_section, cfg_store_section, cfg_metrics_section, cfg_log_section;

/* Every section the file may hold, feature by feature; a name may have several tables. */
static const struct cfg_section *const tables[] = {
	&cfg_app_section,
	&cfg_token_section,
	&cfg_cors_section,
	&cfg_auth_section,
	&cfg_limits_section,
	&cfg_jwt_section,
	&cfg_store_section,
	&cfg_metrics_section,
	&cfg_log_section,
};

#define N_TABLES (sizeof(tables) / sizeof(tables[0]))
#define MAX_FILE (256 * 1024)
#define MAX_LINE 8192
#define MAX_ENTRIES 512
#define MAX_HEADERS 128

#define ERR(...) snprintf(err, errlen, __VA_ARGS__)

/* ---- what every table shares ---- */

int cfg_key_err(const struct cfg_ctx *x, const char *fmt, ...)
{
	va_list ap;
	int n = x->file != NULL ? snprintf(x->err, x->errlen, "[%s] %s: %s: ", x->section, x->key, x->file) :
		x->key[0] != '\0' ? snprintf(x->err, x->errlen, "[%s] %s: ", x->section, x->key) :
		snprintf(x->err, x->errlen, "[%s]: ", x->section);

	if (n >= 0 && (size_t)n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *cfg_quote_hint(const struct cfg_ctx *x)
{
	return x->file != NULL ? "" : " (quote it if it holds # or ;)";
}

int cfg_parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (v[0] == '\0')
		return -1;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 10)
			return -1;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (n < min || n > max)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

int cfg_parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

int cfg_next_item(const char **list, char *item, size_t cap)
{
	const char *s = *list, *e;
	size_t n;

	/* a line end separates too: an ini value has none, a list read from a file (keys_file) does */
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return 0;
		if (*s != ',' && *s != '\n' && *s != '\r')
			break;
		s++;
	}
	for (e = s; *e != '\0' && *e != ',' && *e != '\n' && *e != '\r'; e++)
		;
	*list = e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s);
	if (n >= cap)
		return -1;
	memcpy(item, s, n);
	item[n] = '\0';
	return 1;
}

/* ---- the scanner: one logical line at a time ---- */

struct scan {
	struct config *c;
	char *err;
	size_t errlen;
	int line;                    /* of the logical line being read */
	int cur;                     /* index into headers of the current section, -1 before any */
	int n_headers;
	struct header {
		const char *name;    /* lowercased, as in the file: "app:foo" */
		size_t base;         /* length of the part before ':' */
		void *obj;
	} headers[MAX_HEADERS];
	int n_entries;
	struct entry {
		int header;
		const char *key;     /* the table's spelling; KEY for KEY_file too */
		const char *as;      /* KEY or KEY_file, as given */
		int line;
	} entries[MAX_ENTRIES];
};

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static char *trim(char *s, char *e)
{
	while (e > s && is_blank(e[-1]))
		e--;
	*e = '\0';
	return s;
}

/* The tables of section base name (len bytes) that accept a label or not. */
static int table_of(const char *name, size_t len, int labelled, size_t from)
{
	size_t t;

	for (t = from; t < N_TABLES; t++)
		if (strlen(tables[t]->name) == len && strncmp(tables[t]->name, name, len) == 0 &&
		    tables[t]->labelled == labelled)
			return (int)t;
	return -1;
}

/* "app, app:NAME, token, ...": said when a section is unknown */
static void known_sections(char *out, size_t cap)
{
	size_t t, n = 0;
	int r;

	out[0] = '\0';
	for (t = 0; t < N_TABLES; t++) {
		if (table_of(tables[t]->name, strlen(tables[t]->name), tables[t]->labelled, 0) != (int)t)
			continue;       /* a second table of the same section */
		r = snprintf(out + n, cap - n, "%s%s%s%s", n > 0 ? ", " : "", tables[t]->name,
			tables[t]->labelled ? ", " : "", tables[t]->labelled ? tables[t]->name : "");
		if (r < 0 || (size_t)r >= cap - n)
			return;
		n += (size_t)r;
		if (tables[t]->labelled && (r = snprintf(out + n, cap - n, ":NAME")) > 0 && (size_t)r < cap - n)
			n += (size_t)r;
	}
}

static int section_line(struct scan *s, char *p)
{
	char *close = strchr(p, ']'), *name, *colon, *rest;
	struct cfg_ctx x = { s->c, NULL, "", "", s->err, s->errlen, NULL, NULL };
	struct header *h;
	size_t base, t;
	int k, labelled, first;

	if (close == NULL)
		return snprintf(s->err, s->errlen, "syntax error at line %d: a section header without ]", s->line), -1;
	for (rest = close + 1; is_blank(*rest); rest++)
		;
	if (*rest != '\0' && *rest != ';' && *rest != '#')
		return snprintf(s->err, s->errlen, "syntax error at line %d: text after the section header", s->line), -1;
	for (name = p + 1; is_blank(*name); name++)
		;
	name = trim(name, close);
	for (p = name; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.' || *p == ':'))
			return snprintf(s->err, s->errlen, "line %d: a section name holds only a-z 0-9 _ - . :",
				s->line), -1;
	}
	colon = strchr(name, ':');
	base = colon != NULL ? (size_t)(colon - name) : strlen(name);
	labelled = colon != NULL;
	if ((first = table_of(name, base, labelled, 0)) < 0 && !labelled)
		first = table_of(name, base, 1, 0);     /* [app] is the labelled table's unlabelled form */
	if (first < 0) {
		char known[256];

		known_sections(known, sizeof(known));
		return snprintf(s->err, s->errlen, "line %d: unknown section (known: %s)", s->line, known), -1;
	}
	for (k = 0; k < s->n_headers; k++)
		if (strcmp(s->headers[k].name, name) == 0)
			return s->cur = k, 0;       /* a section given again goes on where it was */
	if (s->n_headers == MAX_HEADERS)
		return snprintf(s->err, s->errlen, "line %d: more than %d sections", s->line, MAX_HEADERS), -1;
	h = &s->headers[s->n_headers];
	h->name = name;
	h->base = base;
	h->obj = s->c;
	x.section = name;
	for (t = (size_t)first; t < N_TABLES; t++)
		if (strlen(tables[t]->name) == base && strncmp(tables[t]->name, name, base) == 0 &&
		    tables[t]->open != NULL) {
			if ((h->obj = tables[t]->open(&x, labelled ? colon + 1 : "")) == NULL)
				return -1;
			break;
		}
	s->cur = s->n_headers++;
	return 0;
}

/* value: "quoted", 'quoted', or bare up to a ; or # comment; blanks around it trimmed */
static int value_of(struct scan *s, char *v, char **out)
{
	char *close;

	while (is_blank(*v))
		v++;
	if (*v == '"' || *v == '\'') {
		if ((close = strchr(v + 1, *v)) == NULL)
			return snprintf(s->err, s->errlen, "syntax error at line %d: a quote is not closed", s->line), -1;
		*close = '\0';
		for (close++; is_blank(*close); close++)
			;
		if (*close != '\0' && *close != ';' && *close != '#')
			return snprintf(s->err, s->errlen, "syntax error at line %d: text after the closing quote",
				s->line), -1;
		*out = v + 1;
		return 0;
	}
	*out = trim(v, v + strcspn(v, ";#"));
	return 0;
}

static int key_line(struct scan *s, char *p)
{
	char *eq = strchr(p, '='), *key, *v, *q;
	const struct cfg_key *def = NULL, *twin = NULL, *same;
	const struct header *h;
	struct cfg_ctx x;
	size_t t, found = 0;
	int k, labelled;

	if (eq == NULL)
		return snprintf(s->err, s->errlen, "syntax error at line %d: not a section, a comment or key = value",
			s->line), -1;
	key = trim(p, eq);
	for (q = key; *q != '\0'; q++) {
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
		if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
			break;
	}
	if (key[0] == '\0' || *q != '\0')
		return snprintf(s->err, s->errlen, "syntax error at line %d: a key name holds only a-z 0-9 _", s->line), -1;
	if (s->cur < 0)
		return snprintf(s->err, s->errlen, "line %d: every key must be inside a section", s->line), -1;
	h = &s->headers[s->cur];
	labelled = h->name[h->base] == ':';
	for (t = 0; t < N_TABLES && def == NULL; t++) {
		if (strlen(tables[t]->name) != h->base || strncmp(tables[t]->name, h->name, h->base) != 0 ||
		    (labelled && !tables[t]->labelled))
			continue;
		for (k = 0; tables[t]->keys[k].key != NULL; k++)
			if (strcmp(tables[t]->keys[k].key, key) == 0)
				def = &tables[t]->keys[k], found = t;
	}
	/* KEY_file: KEY's value from a file, given once between the two */
	if (def != NULL && def->parse == cfg_from_file) {
		size_t n = strlen(def->key) - strlen("_file");

		for (k = 0; tables[found]->keys[k].key != NULL && twin == NULL; k++)
			if (strlen(tables[found]->keys[k].key) == n && strncmp(tables[found]->keys[k].key, def->key, n) == 0)
				twin = &tables[found]->keys[k];
	}
	same = twin != NULL ? twin : def;
	/* the name is not echoed: a secret wrapped onto a line of its own would be one */
	if (def == NULL)
		return snprintf(s->err, s->errlen, "line %d: unknown key in [%s]", s->line, h->name), -1;
	for (k = 0; k < s->n_entries; k++)
		if (s->entries[k].header == s->cur && s->entries[k].key == same->key) {
			if (s->entries[k].as == def->key)
				return snprintf(s->err, s->errlen, "[%s] %s: given twice (lines %d and %d)", h->name,
					def->key, s->entries[k].line, s->line), -1;
			return snprintf(s->err, s->errlen, "[%s] %s: %s is given too (line %d): give the value or "
				"the file, not both", h->name, def->key, s->entries[k].as, s->entries[k].line), -1;
		}
	if (s->n_entries == MAX_ENTRIES)
		return snprintf(s->err, s->errlen, "line %d: more than %d keys", s->line, MAX_ENTRIES), -1;
	s->entries[s->n_entries++] = (struct entry){ s->cur, same->key, def->key, s->line };
	if (value_of(s, eq + 1, &v) != 0)
		return -1;
	if (v[0] == '\0')
		return 0;      /* an empty value keeps the default */
	x = (struct cfg_ctx){ s->c, h->obj, h->name, def->key, s->err, s->errlen, twin, NULL };
	return def->parse(&x, v);
}

static int logical_line(struct scan *s, char *p, size_t len)
{
	size_t i;

	if (len > MAX_LINE)
		return snprintf(s->err, s->errlen, "line %d: longer than %d bytes", s->line, MAX_LINE), -1;
	for (i = 0; i < len; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return snprintf(s->err, s->errlen, "line %d: a control character (byte 0x%02x)", s->line,
				(unsigned char)p[i]), -1;
	while (is_blank(*p))
		p++;
	if (*p == '\0' || *p == ';' || *p == '#')
		return 0;
	return *p == '[' ? section_line(s, p) : key_line(s, p);
}

/* Lines end in LF or CR LF. A key line whose last character is a backslash goes on on the next
 * line (the backslash dropped); a comment never does. Lines are joined in place: the write
 * position never passes the read position. */
static int scan(struct scan *s, char *buf, size_t n)
{
	char *p = buf, *end = buf + n;
	int physical = 0;

	if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		return snprintf(s->err, s->errlen, "the file starts with a UTF-8 byte order mark: save it without one"), -1;
	if (memchr(buf, '\0', n) != NULL) {
		const char *z = memchr(buf, '\0', n), *q;
		int line = 1;

		for (q = buf; q < z; q++)
			line += *q == '\n';
		return snprintf(s->err, s->errlen, "a NUL byte at line %d", line), -1;
	}
	while (p < end) {
		char *line = p, *w = p, *t;
		int comment = -1;

		s->line = physical + 1;
		for (;;) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = (size_t)((nl != NULL ? nl : end) - p);

			physical++;
			if (len > 0 && p[len - 1] == '\r')
				len--;
			memmove(w, p, len);
			w += len;
			p = nl != NULL ? nl + 1 : end;
			if (comment < 0) {
				for (t = line; t < w && is_blank(*t); t++)
					;
				comment = t < w && (*t == ';' || *t == '#');
			}
			for (t = w; t > line && is_blank(t[-1]); t--)
				;
			if (comment || t == line || t[-1] != '\\' || p == end)
				break;
			w = t - 1;
		}
		*w = '\0';
		if (logical_line(s, line, (size_t)(w - line)) != 0)
			return -1;
	}
	return 0;
}

/* ---- loading ---- */

int cfg_same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
		a->st_mode == b->st_mode && a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
		a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
		a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

char *cfg_read_fd(int fd, const struct stat *st, size_t *n, char *err, size_t errlen)
{
	size_t got = 0, want = (size_t)st->st_size, cap = want + 2;   /* one more: a file that grows */
	struct stat after;
	ssize_t r;
	char *buf;

	if ((buf = malloc(cap)) == NULL)
		return ERR("out of memory"), NULL;
	while (got < want + 1 && (r = read(fd, buf + got, want + 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ERR("cannot read: %s", strerror(errno));
			goto fail;
		}
		got += (size_t)r;
	}
	if (got != want || fstat(fd, &after) != 0 || !cfg_same_stat(st, &after)) {
		ERR("the file changed while it was read (save a new file, then rename it over the old one)");
		goto fail;
	}
	buf[got] = '\0';
	*n = got;
	return buf;
fail:
	explicit_bzero(buf, cap);
	free(buf);
	return NULL;
}

/* The whole ini through fd into a buffer of our own (NUL-terminated); NULL with err set. */
static char *read_all(int fd, struct stat *st, size_t *n, char *err, size_t errlen)
{
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))
		return ERR("not a regular file"), NULL;
	if (st->st_size > MAX_FILE)
		return ERR("larger than %d KiB", MAX_FILE / 1024), NULL;
	return cfg_read_fd(fd, st, n, err, errlen);
}

/* Everything but the issuer slots and the secret-file slots, which are zeroed when a [jwt:NAME] or
 * a *_file key takes one and wiped by config_free when used: untouched, their 100 KB cost a CGI run
 * that uses neither no page faults. Slots at or past their count are never read. */
static void zero(char *p, size_t n, int wipe)
{
	if (wipe)
		explicit_bzero(p, n);
	else
		memset(p, 0, n);
}

static void clear(struct config *c, int wipe)
{
	size_t hole[2][2] = {
		{ offsetof(struct config, jwt.iss), sizeof(c->jwt.iss) },
		{ offsetof(struct config, secret_files.f), sizeof(c->secret_files.f) },
	};
	size_t at = 0, h, first = hole[0][0] < hole[1][0] ? 0 : 1;
	int i;

	for (i = 0; wipe && i < c->jwt.n && i < CFG_JWT_MAX; i++)
		explicit_bzero(&c->jwt.iss[i], sizeof(c->jwt.iss[i]));
	for (i = 0; wipe && i < c->secret_files.n && i < CFG_MAX_SECRET_FILES; i++)
		explicit_bzero(&c->secret_files.f[i], sizeof(c->secret_files.f[i]));
	for (h = 0; h < 2; h++) {
		size_t *k = hole[h == 0 ? first : 1 - first];

		zero((char *)c + at, k[0] - at, wipe);
		at = k[0] + k[1];
	}
	zero((char *)c + at, sizeof(*c) - at, wipe);
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	struct scan *s;
	struct stat st;
	size_t n = 0, t;
	char *buf;
	int fd, rc = 0;

	clear(c, 0);
	for (t = 0; t < N_TABLES; t++)
		if (tables[t]->defaults != NULL)
			tables[t]->defaults(c);
	if (path == NULL || strlen(path) >= sizeof(c->path))
		return ERR("no usable configuration path"), -1;
	memcpy(c->path, path, strlen(path) + 1);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return ERR("cannot open: %s", strerror(errno)), -1;
	buf = read_all(fd, &st, &n, err, errlen);
	close(fd);
	if (buf == NULL)
		return -1;
	c->st = st;
	c->mtime = st.st_mtime;
	c->world_readable = (st.st_mode & S_IROTH) != 0;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		rc = (ERR("out of memory"), -1);
	if (rc == 0) {
		*s = (struct scan){ .c = c, .err = err, .errlen = errlen, .cur = -1 };
		rc = scan(s, buf, n);
		free(s);
	}
	for (t = 0; rc == 0 && t < N_TABLES; t++)
		if (tables[t]->check != NULL)
			rc = tables[t]->check(c, err, errlen);
	explicit_bzero(buf, n + 1);
	free(buf);
	if (rc != 0) {
		/* everything wiped but the secret files' paths and stats: fixing one is a change */
		struct cfg_secret_files *keep = malloc(sizeof(*keep));
		int nf = c->secret_files.n;

		if (keep != NULL)
			memcpy(keep->f, c->secret_files.f, (size_t)nf * sizeof(keep->f[0]));
		config_free(c);
		if (keep != NULL) {
			memcpy(c->secret_files.f, keep->f, (size_t)nf * sizeof(keep->f[0]));
			c->secret_files.n = nf;
			free(keep);
		}
	}
	return rc;
}

void config_free(struct config *c)
{
	clear(c, 1);
}
