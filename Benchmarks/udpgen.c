/* A UDP load generator for the veth benchmark: sends 18-byte datagrams
 * (64-byte frames with the FCS) to ADDR:PORT with sendmmsg, in batches of
 * 64, for SECONDS; prints how many it sent.
 * Usage: udpgen ADDR PORT SECONDS */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: udpgen ADDR PORT SECONDS\n"); return 2; }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
    if (s < 0 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) { perror("udpgen"); return 1; }
    if (connect(s, (struct sockaddr *)&to, sizeof to) != 0) { perror("connect"); return 1; }
    enum { BATCH = 64 };
    static char payload[18];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = payload; iov[i].iov_len = sizeof payload;
        msgs[i].msg_hdr.msg_iov = &iov[i]; msgs[i].msg_hdr.msg_iovlen = 1;
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    double seconds = atof(argv[3]);
    unsigned long long sent = 0;
    do {
        int n = sendmmsg(s, msgs, BATCH, 0);
        if (n > 0) sent += n;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
    printf("%llu\n", sent);
    return 0;
}
