/*
** INI reader; see ini.h.  Reads the whole file at once (study files are
** small) and keeps it so that the exact text can be stored with the study.
*/
#include "ini.h"

#include "../search/limits.h"
#include "../search/name_index.h"
#include "buf.h"

#include <stdarg.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INI_MAX_BYTES (4 << 20)

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Cuts an inline comment: ';' or '#' after whitespace, outside quotes. */
static void cut_comment(char *s)
{
    int quoted = 0;
    for (char *p = s; *p; p++) {
        if (*p == '\\' && quoted && p[1]) {
            p++;
            continue;
        }
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == ';' || *p == '#') &&
                 (p == s || isspace((unsigned char)p[-1]))) {
            *p = '\0';
            return;
        }
    }
}

static int read_file(const char *path, char **out, char *err, int err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    if (!text)
        goto oom;
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= INI_MAX_BYTES) {
                snprintf(err, err_len, "%s: file is larger than %d bytes", path,
                         INI_MAX_BYTES);
                goto fail;
            }
            char *t = realloc(text, cap * 2);
            if (!t)
                goto oom;
            text = t;
            cap *= 2;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(err, err_len, "%s: cannot read: %s", path, strerror(errno));
        goto fail;
    }
    text[len] = '\0';
    if (memchr(text, '\0', len)) {
        snprintf(err, err_len, "%s: not a text file", path);
        goto fail;
    }
    fclose(f);
    *out = text;
    return 0;
oom:
    snprintf(err, err_len, "%s: out of memory", path);
fail:
    free(text);
    fclose(f);
    return -1;
}

void ini_deinit(hp_ini *ini)
{
    for (int i = 0; i < ini->n_entries; i++) {
        free(ini->entries[i].section);
        free(ini->entries[i].key);
        free(ini->entries[i].value);
    }
    for (int i = 0; i < ini->n_sections; i++)
        free(ini->sections[i].name);
    free(ini->entries);
    free(ini->sections);
    name_index_free(ini->index);
    free(ini->path);
    free(ini->text);
    memset(ini, 0, sizeof *ini);
}

static int parse(const char *path, hp_ini *ini, char *err, int err_len);

/* "SECTION\037KEY" on the heap: the index's name of a key. */
static char *index_name(const char *section, const char *key)
{
    size_t n = strlen(section) + strlen(key) + 2;
    char *name = malloc(n);
    if (name)
        snprintf(name, n, "%s\037%s", section, key);
    return name;
}

/* Adds entry I to the index.  Returns 0 or -1 when out of memory. */
static int index_entry(hp_ini *ini, int i)
{
    if (!ini->index && !(ini->index = name_index_new(0)))
        return -1;
    const hp_ini_entry *e = &ini->entries[i];
    char *name = index_name(e->section, e->key);
    int rc = name ? name_index_put(ini->index, name, i) : -1;
    free(name);
    return rc;
}

int ini_load(const char *path, hp_ini *ini, char *err, int err_len)
{
    memset(ini, 0, sizeof *ini);
    if (read_file(path, &ini->text, err, err_len))
        return -1;
    return parse(path, ini, err, err_len);
}

int ini_load_text(const char *path, const char *text, hp_ini *ini, char *err, int err_len)
{
    memset(ini, 0, sizeof *ini);
    if (!(ini->text = strdup(text))) {
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    return parse(path, ini, err, err_len);
}

static int parse(const char *path, hp_ini *ini, char *err, int err_len)
{
    char *copy = NULL;
    ini->path = strdup(path);
    copy = strdup(ini->text);
    if (!ini->path || !copy)
        goto oom;
    char *section = NULL;
    int lineno = 0;
    /* strtok_r would merge empty lines and lose the count: split by hand */
    char *line = copy;
    while (line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        size_t ll = strlen(line);
        if (ll && line[ll - 1] == '\r')
            line[ll - 1] = '\0';
        char *s = trim(line);
        if (lineno == 1 && (unsigned char)s[0] == 0xEF &&
            (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
            s = trim(s + 3); /* UTF-8 byte order mark */
        if (*s == '\0' || *s == ';' || *s == '#') {
            line = nl ? nl + 1 : NULL;
            continue;
        }
        if (*s == '[') {
            cut_comment(s);
            s = trim(s);
            char *close = strchr(s, ']');
            if (!close || close[1] != '\0') {
                snprintf(err, err_len, "%s:%d: malformed section header '%s'", path,
                         lineno, s);
                goto fail;
            }
            *close = '\0';
            char *name = trim(s + 1);
            for (char *p = name; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            if (buf_grow_array(&ini->sections, &ini->cap_sections, ini->n_sections + 1,
                               sizeof *ini->sections))
                goto oom;
            hp_ini_section *ns = ini->sections;
            ns[ini->n_sections].name = strdup(name);
            if (!ns[ini->n_sections].name)
                goto oom;
            ns[ini->n_sections].line = lineno;
            section = ns[ini->n_sections].name;
            ini->n_sections++;
            line = nl ? nl + 1 : NULL;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, err_len, "%s:%d: expected 'key = value', got '%s'", path,
                     lineno, s);
            goto fail;
        }
        *eq = '\0';
        char *key = trim(s);
        char *value = eq + 1;
        cut_comment(value);
        value = trim(value);
        if (*key == '\0') {
            snprintf(err, err_len, "%s:%d: missing key before '='", path, lineno);
            goto fail;
        }
        if (!section) {
            snprintf(err, err_len, "%s:%d: key '%s' is outside any [section]", path,
                     lineno, key);
            goto fail;
        }
        const hp_ini_entry *dup = ini_get(ini, section, key);
        if (dup) {
            snprintf(err, err_len, "%s:%d: duplicate key '%s' in [%s] (first on line %d)",
                     path, lineno, key, section, dup->line);
            goto fail;
        }
        if (buf_grow_array(&ini->entries, &ini->cap_entries, ini->n_entries + 1,
                           sizeof *ini->entries))
            goto oom;
        hp_ini_entry *e = &ini->entries[ini->n_entries];
        e->section = strdup(section);
        e->key = strdup(key);
        e->value = strdup(value);
        e->line = lineno;
        ini->n_entries++;
        if (!e->section || !e->key || !e->value || index_entry(ini, ini->n_entries - 1))
            goto oom;
        line = nl ? nl + 1 : NULL;
    }
    free(copy);
    return 0;
oom:
    snprintf(err, err_len, "%s: out of memory", path);
fail:
    free(copy);
    ini_deinit(ini);
    return -1;
}

const hp_ini_entry *ini_get(const hp_ini *ini, const char *section, const char *key)
{
    if (!ini->index)
        return NULL;
    char *name = index_name(section, key);
    if (!name)
        return NULL;
    int i = name_index_get(ini->index, name);
    free(name);
    return i >= 0 ? &ini->entries[i] : NULL;
}

int ini_section_line(const hp_ini *ini, const char *section)
{
    for (int i = 0; i < ini->n_sections; i++)
        if (strcmp(ini->sections[i].name, section) == 0)
            return ini->sections[i].line;
    return 0;
}

int ini_fail(char *err, const char *path, int line, const char *fmt, ...)
{
    char msg[HP_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(err, HP_ERR_LEN, "%s:%d: %s", path, line, msg);
    else
        snprintf(err, HP_ERR_LEN, "%s: %s", path, msg);
    return -1;
}
