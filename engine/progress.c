#include "progress.h"

#include <math.h>
#include <string.h>

#include "buf.h"

const char *progress_duration(double s, char *buf, int len)
{
    if (!isfinite(s) || s < 0) {
        snprintf(buf, len, "?");
        return buf;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
    return buf;
}

void progress_live(FILE *out, const hp_progress *p)
{
    hp_buf b;
    buf_init(&b);
    char eta[32] = "?";
    if (p->rate > 0)
        progress_duration((double)(p->total - p->done) / p->rate, eta, sizeof eta);
    buf_printf(&b, "\r%lld/%lld done", (long long)p->done, (long long)p->total);
    if (p->failed || p->pruned)
        buf_printf(&b, " (%lld failed, %lld pruned)", (long long)p->failed,
                   (long long)p->pruned);
    buf_puts(&b, " | best ");
    if (p->has_best) {
        buf_number(&b, p->best);
        buf_printf(&b, " (trial %lld)", (long long)p->best_number);
    } else {
        buf_puts(&b, "-");
    }
    buf_printf(&b, " | running %d", p->running);
    for (int i = 0; i < p->n_shown; i++) {
        buf_printf(&b, "%s trial %lld", i ? "," : ":", (long long)p->shown_number[i]);
        if (p->shown_step[i] > 0) {
            buf_printf(&b, " step %lld", (long long)p->shown_step[i]);
            if (p->max_step > 0)
                buf_printf(&b, "/%d", p->max_step);
        }
    }
    /* \033[K clears what a longer previous line left behind */
    buf_printf(&b, " | %.1f trials/s | ETA %s\033[K", p->rate, eta);
    fputs(buf_str(&b), out);
    fflush(out);
    buf_deinit(&b);
}

void progress_end(FILE *out)
{
    fputc('\n', out);
    fflush(out);
}

void progress_trial(FILE *out, int64_t number, const char *state, double value,
                    const char *params_json, const char *error)
{
    /* one fprintf per line: stdio locks per call, so worker lines never mix */
    if (error) {
        /* the first line of the reason: the rest is in the database */
        const char *nl = strchr(error, '\n');
        fprintf(out, "trial %lld %s %s (%.*s)\n", (long long)number, state, params_json,
                nl ? (int)(nl - error) : (int)strlen(error), error);
    } else {
        char v[40];
        buf_number_text(value, v, sizeof v);
        fprintf(out, "trial %lld %s value=%s %s\n", (long long)number, state, v,
                params_json);
    }
    fflush(out);
}
