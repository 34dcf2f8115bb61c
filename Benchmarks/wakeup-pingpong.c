// Two processes, one TCP loopback connection, one 64-byte message bounced back and forth:
// the wake-up floor of this machine (two wake-ups per round trip, no work in between).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    bind(ls, (struct sockaddr *)&a, sizeof a); listen(ls, 1); getsockname(ls, (struct sockaddr *)&a, &al);
    char buf[64] = {0};
    if (fork() == 0) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        connect(c, (struct sockaddr *)&a, sizeof a); setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        for (;;) { ssize_t r = read(c, buf, sizeof buf); if (r <= 0) _exit(0); write(c, buf, r); }
    }
    int s = accept(ls, 0, 0); setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    double *rtt = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) {
        double t0 = now_us(); write(s, buf, sizeof buf);
        size_t got = 0; while (got < sizeof buf) got += read(s, buf + got, sizeof buf - got);
        rtt[i] = now_us() - t0;
    }
    close(s); wait(0);
    qsort(rtt, n, sizeof(double), cmp);
    printf("C ping-pong over loopback TCP, two processes, %d round trips: p50 %.1f µs, p90 %.1f µs, p99 %.1f µs\n", n, rtt[n / 2], rtt[n * 9 / 10], rtt[n * 99 / 100]);
    return 0;
}
