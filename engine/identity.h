/*
** Who this process is, for the trials it claims: the host name, the pid,
** a random instance id (two containers may share a host name and a pid),
** and the origin of the pid (machine boot and PID namespace), without
** which a pid cannot be judged dead from another process.
*/
#ifndef HP_IDENTITY_H
#define HP_IDENTITY_H

typedef struct {
    char host[256];
    int pid;
    char instance[33];   /* 32 hex digits */
    char origin[128];    /* "<boot id>/<pid namespace>" */
} hp_identity;

/* Fills ID for the calling process.  Returns 0, or -1 with a message in
** ERR when no random id can be had. */
int identity_init(hp_identity *id, char *err);

#endif
