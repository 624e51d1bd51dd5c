#include "cmdline.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void cmdline_free(char **words)
{
    if (!words)
        return;
    for (char **w = words; *w; w++)
        free(*w);
    free(words);
}

static int push(char ***words, int *n, hp_buf *cur)
{
    char **nw = realloc(*words, sizeof(char *) * (size_t)(*n + 2));
    if (!nw)
        return -1;
    *words = nw;
    nw[*n] = strdup(buf_str(cur));
    if (!nw[*n])
        return -1;
    (*n)++;
    nw[*n] = NULL;
    buf_reset(cur);
    return 0;
}

int cmdline_split(const char *line, char ***out, char *err, int err_len)
{
    char **words = calloc(1, sizeof(char *));
    int n = 0, in_word = 0;
    hp_buf cur;
    buf_init(&cur);
    if (!words)
        goto oom;
    for (const char *p = line;; p++) {
        char c = *p;
        if (c == '\0' || isspace((unsigned char)c)) {
            if (in_word && push(&words, &n, &cur))
                goto oom;
            in_word = 0;
            if (c == '\0')
                break;
            continue;
        }
        if (strchr("|&;<>()`", c) || (c == '$' && p[1] == '(')) {
            snprintf(err, err_len, "'%c' outside quotes: the command runs without a "
                     "shell; quote it, or write command = sh -c '...'", c);
            goto fail;
        }
        in_word = 1;
        if (c == '\'') {
            const char *end = strchr(p + 1, '\'');
            if (!end) {
                snprintf(err, err_len, "unterminated single quote");
                goto fail;
            }
            buf_append(&cur, p + 1, (size_t)(end - p - 1));
            p = end;
        } else if (c == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
                    p++;
                buf_append(&cur, p, 1);
            }
            if (*p != '"') {
                snprintf(err, err_len, "unterminated double quote");
                goto fail;
            }
        } else if (c == '\\') {
            if (p[1] == '\0') {
                snprintf(err, err_len, "a backslash ends the command");
                goto fail;
            }
            buf_append(&cur, ++p, 1);
        } else {
            buf_append(&cur, p, 1);
        }
        if (!buf_ok(&cur))
            goto oom;
    }
    if (n == 0) {
        snprintf(err, err_len, "the command is empty");
        goto fail;
    }
    buf_deinit(&cur);
    *out = words;
    return n;
oom:
    snprintf(err, err_len, "out of memory");
fail:
    buf_deinit(&cur);
    cmdline_free(words);
    return -1;
}

char *cmdline_expand(const char *word, cmdline_lookup_fn lookup, void *ctx, char *err,
                     int err_len)
{
    hp_buf b;
    buf_init(&b);
    for (const char *p = word; *p; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            buf_append(&b, p, 1);
            p++;
            continue;
        }
        if (*p != '{') {
            buf_append(&b, p, 1);
            continue;
        }
        const char *close = strchr(p, '}');
        if (!close) {
            snprintf(err, err_len, "unclosed placeholder in '%s'", word);
            buf_deinit(&b);
            return NULL;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
        const char *text = lookup(ctx, name);
        if (!text) {
            snprintf(err, err_len, "unknown placeholder {%s} (expected a parameter name, "
                     "trial, seed, study or trial_dir)", name);
            buf_deinit(&b);
            return NULL;
        }
        buf_puts(&b, text);
        p = close;
    }
    if (!buf_ok(&b) || !b.data) {
        int empty = buf_ok(&b);
        buf_deinit(&b);
        if (empty)
            return strdup("");
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    return b.data; /* ownership passes to the caller */
}
