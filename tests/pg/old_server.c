/*
** A stand-in for a PostgreSQL 11 server, for the test of a server too old
** (no such server is packaged any more): it listens on 127.0.0.1, lets any
** client in without a password, announces server_version 11.22 as a real
** one does at start-up, and answers every query with an empty success.
**   old_server PORT_FILE     writes its port there, serves until killed
** It speaks just enough of the protocol (version 3) for libpq to connect.
*/
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t got = read(fd, p, n);
        if (got <= 0)
            return -1;
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Appends one message (type, length, body) to OUT at *AT. */
static void message(char *out, size_t *at, char type, const char *body, size_t n)
{
    uint32_t len = htonl((uint32_t)(n + 4));
    out[(*at)++] = type;
    memcpy(out + *at, &len, 4);
    memcpy(out + *at + 4, body, n);
    *at += 4 + n;
}

static void parameter(char *out, size_t *at, const char *name, const char *value)
{
    char body[128];
    size_t a = strlen(name) + 1, b = strlen(value) + 1;
    memcpy(body, name, a);
    memcpy(body + a, value, b);
    message(out, at, 'S', body, a + b);
}

static void serve(int fd)
{
    unsigned char head[8];
    char skip[4096];
    /* the start-up packet, after any SSL or GSS request (refused: 'N') */
    for (;;) {
        if (read_full(fd, head, 8))
            return;
        uint32_t len = be32(head), code = be32(head + 4);
        if (len < 8 || len - 8 > sizeof skip || read_full(fd, skip, len - 8))
            return;
        if (code == 80877103 || code == 80877104) {
            if (write(fd, "N", 1) != 1)
                return;
            continue;
        }
        break;
    }
    char out[1024];
    size_t at = 0;
    const char ok[4] = {0, 0, 0, 0};
    const char key[8] = {0, 0, 0, 1, 0, 0, 0, 2};
    message(out, &at, 'R', ok, 4);
    parameter(out, &at, "server_version", "11.22");
    parameter(out, &at, "server_encoding", "UTF8");
    parameter(out, &at, "client_encoding", "UTF8");
    parameter(out, &at, "integer_datetimes", "on");
    parameter(out, &at, "standard_conforming_strings", "on");
    message(out, &at, 'K', key, 8);
    message(out, &at, 'Z', "I", 1);
    if (write(fd, out, at) != (ssize_t)at)
        return;
    /* every query: an empty success; Terminate ('X') or EOF ends it */
    unsigned char type;
    while (read_full(fd, &type, 1) == 0 && type != 'X') {
        if (read_full(fd, head, 4))
            return;
        uint32_t len = be32(head);
        while (len > 4) {
            size_t n = len - 4 > sizeof skip ? sizeof skip : len - 4;
            if (read_full(fd, skip, n))
                return;
            len -= (uint32_t)n;
        }
        at = 0;
        message(out, &at, 'C', "SET", 4);
        message(out, &at, 'Z', "I", 1);
        if (write(fd, out, at) != (ssize_t)at)
            return;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: old_server PORT_FILE\n");
        return 2;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) || listen(s, 8) ||
        getsockname(s, (struct sockaddr *)&addr, &size)) {
        perror("old_server");
        return 1;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f || fprintf(f, "%d\n", ntohs(addr.sin_port)) < 0 || fclose(f)) {
        perror(argv[1]);
        return 1;
    }
    for (;;) {
        int fd = accept(s, NULL, NULL);
        if (fd < 0)
            continue;
        serve(fd);
        close(fd);
    }
}
