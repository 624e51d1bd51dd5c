/*
** The calling process's identity; see identity.h.
*/
#include "identity.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "error.h"

/* The first line of a small file, or "" when it cannot be read. */
static void read_line(const char *path, char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(out, (int)n, f))
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

int identity_init(hp_identity *id, char *err)
{
    memset(id, 0, sizeof *id);
    id->pid = (int)getpid();
    if (gethostname(id->host, sizeof id->host - 1) != 0 || !id->host[0])
        snprintf(id->host, sizeof id->host, "localhost");
    /* not a search's randomness: a name that must differ between processes
       that share everything else, so it comes from the kernel, unseeded */
    unsigned char bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        snprintf(err, HP_ERR_LEN, "cannot draw a random instance id");
        return -1;
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(id->instance + 2 * i, 3, "%02x", bytes[i]);
    char boot[64], ns[64] = "";
    read_line("/proc/sys/kernel/random/boot_id", boot, sizeof boot);
    ssize_t k = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
    ns[k > 0 ? k : 0] = '\0';
    snprintf(id->origin, sizeof id->origin, "%s/%s", boot[0] ? boot : "?", ns[0] ? ns : "?");
    return 0;
}
