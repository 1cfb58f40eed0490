/* sctpperf.c -- a tiny SCTP client and server on usrsctp (the user-space SCTP stack; Debian
 * libusrsctp-dev), for lab/sctp.sh. usrsctp_init(0, ...) sends real SCTP over raw IP (protocol
 * 132, no UDP encapsulation), so it needs root; it needs no kernel SCTP module, and its raw
 * socket keeps the kernel from refusing SCTP with ICMP protocol unreachables. Built by the lab
 * at run time (cc sctpperf.c -lusrsctp -lpthread); never committed as a binary.
 *
 *   sctpperf server ADDR SECONDS SINK_PORT ECHO_PORT
 *       one-to-many sockets on ADDR:SINK_PORT and ADDR:ECHO_PORT (one thread each; one process,
 *       as one stack must answer for the host: another would ABORT what it does not know);
 *       receives every association's messages, and on ECHO_PORT sends each back on its
 *       association (DATA both ways); exits after SECONDS.
 *   sctpperf client SRC DST PORT COUNT SIZE GAP_US
 *       one association from SRC to DST:PORT (INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK), COUNT
 *       messages of SIZE bytes GAP_US microseconds apart (0: as fast as the window allows),
 *       then SHUTDOWN; with the server's ECHO, reads the echoes as they come.
 * Exit status 0 when it did all that, 1 otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <usrsctp.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int addr_of(const char *a, int port, struct sockaddr_in *s) {
    memset(s, 0, sizeof *s);
    s->sin_family = AF_INET;
    s->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, a, &s->sin_addr) == 1 ? 0 : -1;
}

struct serve {
    const char *addr;
    int port, echo;
    double secs;
};

static void *serve(void *arg) {
    const struct serve *a = arg;
    struct socket *so = usrsctp_socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    struct sockaddr_in s;
    const int on = 1;
    struct timeval tv = {1, 0};
    static char bufs[2][65536];
    char *buf = bufs[a->echo ? 1 : 0];
    double end = now() + a->secs;
    long got = 0;
    if (!so || addr_of(a->addr, a->port, &s) < 0) return NULL;
    usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on);
    usrsctp_setsockopt(so, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (usrsctp_bind(so, (struct sockaddr *)&s, sizeof s) < 0 || usrsctp_listen(so, 16) < 0) {
        perror("bind/listen");
        return NULL;
    }
    while (now() < end) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        struct sctp_rcvinfo rcv;
        socklen_t il = sizeof rcv;
        unsigned int it = 0;
        int fl2 = 0;
        ssize_t n = usrsctp_recvv(so, buf, 65536, (struct sockaddr *)&from, &fl, &rcv, &il,
                                  &it, &fl2);
        if (n <= 0) continue;
        if (fl2 & MSG_NOTIFICATION) continue;
        got++;
        if (a->echo && it == SCTP_RECVV_RCVINFO) {
            struct sctp_sndinfo snd;
            memset(&snd, 0, sizeof snd);
            snd.snd_sid = rcv.rcv_sid;
            snd.snd_assoc_id = rcv.rcv_assoc_id;
            usrsctp_sendv(so, buf, (size_t)n, NULL, 0, &snd, sizeof snd, SCTP_SENDV_SNDINFO, 0);
        }
    }
    fprintf(stderr, "server %s:%d: %ld messages\n", a->addr, a->port, got);
    usrsctp_close(so);
    return NULL;
}

static int server(const char *addr, double secs, int sink, int echo) {
    struct serve a[2] = {{addr, sink, 0, secs}, {addr, echo, 1, secs}};
    pthread_t t[2];
    int i;
    for (i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, serve, &a[i]) != 0) return 1;
    for (i = 0; i < 2; i++) pthread_join(t[i], NULL);
    return 0;
}

static int client(const char *src, const char *dst, int port, long count, int size, long gap) {
    struct socket *so = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    struct sockaddr_in l, r;
    char *buf = calloc(1, (size_t)size > 0 ? (size_t)size : 1), rbuf[65536];
    long sent = 0, echoed = 0;
    int ok;
    if (!so || !buf || addr_of(src, 0, &l) < 0 || addr_of(dst, port, &r) < 0) return 1;
    if (usrsctp_bind(so, (struct sockaddr *)&l, sizeof l) < 0 ||
        usrsctp_connect(so, (struct sockaddr *)&r, sizeof r) < 0) {
        perror("connect");
        return 1;
    }
    usrsctp_set_non_blocking(so, 1);
    for (sent = 0; sent < count; sent++) {
        struct sctp_sndinfo snd;
        double give_up = now() + 10;
        memset(&snd, 0, sizeof snd);
        memset(buf, 'a' + (int)(sent % 26), (size_t)size);
        /* a full send buffer: wait for SACKs to free it */
        int done = 0;
        while (!done) {
            if (usrsctp_sendv(so, buf, (size_t)size, NULL, 0, &snd, sizeof snd, SCTP_SENDV_SNDINFO, 0) >= 0)
                done = 1;
            else if ((errno != EWOULDBLOCK && errno != EAGAIN) || now() > give_up)
                break;
            else
                usleep(1000);
        }
        if (!done) {
            perror("sendv");
            break;
        }
        /* read what came back so far (the echoes), without waiting long */
        for (;;) {
            int fl = 0;
            struct sockaddr_in from;
            socklen_t al = sizeof from;
            struct sctp_rcvinfo rcv;
            socklen_t il = sizeof rcv;
            unsigned int it = 0;
            ssize_t n = usrsctp_recvv(so, rbuf, sizeof rbuf, (struct sockaddr *)&from, &al, &rcv,
                                      &il, &it, &fl);
            if (n <= 0) break;
            if (!(fl & MSG_NOTIFICATION)) echoed++;
        }
        if (gap > 0) usleep((useconds_t)gap);
    }
    ok = sent == count;
    usleep(300000);
    usrsctp_shutdown(so, SHUT_WR);
    usleep(300000);
    usrsctp_close(so);
    fprintf(stderr, "client %s -> %s:%d: %ld of %ld messages sent, %ld echoes read\n", src, dst, port,
            sent, count, echoed);
    free(buf);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    int rc;
    if (argc < 2) return 2;
    usrsctp_init(0, NULL, NULL);
    usrsctp_sysctl_set_sctp_blackhole(0);
    if (!strcmp(argv[1], "server") && argc == 6)
        rc = server(argv[2], atof(argv[3]), atoi(argv[4]), atoi(argv[5]));
    else if (!strcmp(argv[1], "client") && argc == 8)
        rc = client(argv[2], argv[3], atoi(argv[4]), atol(argv[5]), atoi(argv[6]), atol(argv[7]));
    else {
        fprintf(stderr, "usage: see the head of sctpperf.c\n");
        rc = 2;
    }
    /* (usrsctp_finish waits for every association to go; the process exits anyway) */
    return rc;
}
