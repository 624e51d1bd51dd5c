#include "progress.h"

#include <math.h>

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
    char best[96] = "-", eta[32] = "?";
    if (p->has_best)
        snprintf(best, sizeof best, "%.6g (trial %lld)", p->best, (long long)p->best_number);
    if (p->rate > 0)
        progress_duration((double)(p->total - p->done) / p->rate, eta, sizeof eta);
    /* \033[K clears what a longer previous line left behind */
    fprintf(out, "\r%lld/%lld done | best %s | running %d | %.1f trials/s | ETA %s\033[K",
            (long long)p->done, (long long)p->total, best, p->running, p->rate, eta);
    fflush(out);
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
    if (error)
        fprintf(out, "trial %lld %s %s (%s)\n", (long long)number, state, params_json, error);
    else
        fprintf(out, "trial %lld %s value=%.10g %s\n", (long long)number, state, value,
                params_json);
    fflush(out);
}
