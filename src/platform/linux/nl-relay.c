/*
 * nl-relay: carries netlink datagrams between a pipe and the kernel, because Node cannot open
 * AF_NETLINK sockets. Usage: nl-relay [protocol]   (default 12 = NETLINK_NETFILTER)
 *
 * stdin  frames: [u32 LE length][payload]: each payload goes to the kernel as ONE datagram.
 * stdout frames: [u32 LE length][u16 LE kind][u16 LE errno][length bytes]
 *   kind 0 READY  once, after bind; payload = our u32 LE netlink port id.
 *   kind 1 DATA   one datagram received from the kernel (one or more netlink messages).
 *   kind 2 DONE   one per stdin frame, after every reply the kernel queued while handling it;
 *                 errno 0 = sent, else the errno of sendto() (EMSGSIZE, ENOBUFS, ...).
 *   kind 3 RECV_ERROR  recv() failed with errno; ENOBUFS means replies were dropped.
 * DONE is exact because the kernel runs the netlink input handler (nfnetlink_rcv, which processes
 * a whole batch and queues every ack/error) synchronously inside our sendto(); so once sendto()
 * returns, draining the socket without blocking yields every reply to that datagram.
 * (Dumps, whose later parts are produced during recv(), are not supported.)
 * Exits 0 on stdin EOF; diagnostics go to stderr only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/netlink.h>

enum { K_READY = 0, K_DATA = 1, K_DONE = 2, K_RECV_ERROR = 3 };
#define MAX_FRAME (1u << 30)

static unsigned char *rbuf;
static size_t rcap;

static void die(const char *what) { perror(what); exit(1); }

static void *grow(void *p, size_t n) {
  p = realloc(p, n);
  if (!p) die("nl-relay: realloc");
  return p;
}

static void put_frame(int kind, int err, const void *data, uint32_t len) {
  unsigned char h[8] = { len, len >> 8, len >> 16, len >> 24, kind, kind >> 8, err, err >> 8 };
  struct iovec iov[2] = { { h, sizeof h }, { (void *)data, len } };
  size_t left = sizeof h + len;
  while (left > 0) {
    ssize_t n = writev(1, iov, 2);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("nl-relay: write stdout");
    left -= (size_t)n;
    for (int i = 0; i < 2; i++) {
      size_t step = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;
      iov[i].iov_base = (unsigned char *)iov[i].iov_base + step;
      iov[i].iov_len -= step;
      n -= (ssize_t)step;
    }
  }
}

/* 1 = got n bytes, 0 = clean EOF before the first byte; EOF mid-frame is fatal. */
static int read_full(void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(0, (unsigned char *)buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("nl-relay: read stdin");
    if (r == 0) {
      if (got == 0) return 0;
      fprintf(stderr, "nl-relay: stdin ended inside a frame\n");
      exit(1);
    }
    got += (size_t)r;
  }
  return 1;
}

static void set_buf(int fd, int force_opt, int opt, int size) {
  if (setsockopt(fd, SOL_SOCKET, force_opt, &size, sizeof size) < 0)
    setsockopt(fd, SOL_SOCKET, opt, &size, sizeof size); /* without CAP_NET_ADMIN: capped by sysctl */
}

/* Forwards every queued datagram; returns once the receive queue is empty. */
static void drain(int fd) {
  const int flags = MSG_DONTWAIT;
  for (;;) {
    ssize_t n = recv(fd, rbuf, rcap, flags | MSG_PEEK | MSG_TRUNC);
    if (n >= 0 && (size_t)n > rcap) {
      rbuf = grow(rbuf, rcap = (size_t)n);
      continue;
    }
    if (n >= 0) n = recv(fd, rbuf, rcap, flags);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      put_frame(K_RECV_ERROR, errno, NULL, 0);
      if (errno != ENOBUFS) die("nl-relay: recv");
      continue; /* the overrun is reported once; later replies are still queued */
    }
    put_frame(K_DATA, 0, rbuf, (uint32_t)n);
  }
}

int main(int argc, char **argv) {
  int protocol = argc > 1 ? atoi(argv[1]) : NETLINK_NETFILTER;
  signal(SIGPIPE, SIG_IGN);
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) die("nl-relay: socket");
  struct sockaddr_nl local = { .nl_family = AF_NETLINK }, kernel = { .nl_family = AF_NETLINK };
  if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) die("nl-relay: bind");
  socklen_t alen = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &alen) < 0) die("nl-relay: getsockname");
  /* Acks are queued with MSG_DONTWAIT: a full receive buffer drops them (and sets ENOBUFS). */
  set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, 32 << 20);
  int sndbuf = 32 << 20; /* netlink_sendmsg refuses a datagram over sk_sndbuf - 32: EMSGSIZE */
  set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf);
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  rbuf = grow(NULL, rcap = 1 << 16);
  uint32_t port = local.nl_pid;
  unsigned char portle[4] = { port, port >> 8, port >> 16, port >> 24 };
  put_frame(K_READY, 0, portle, 4);

  unsigned char *req = NULL;
  size_t reqcap = 0;
  for (;;) {
    struct pollfd fds[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("nl-relay: poll");
    }
    if (fds[1].revents) drain(fd);
    if (!fds[0].revents) continue;
    unsigned char h[4];
    if (!read_full(h, 4)) return 0;
    uint32_t len = h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24;
    if (len > MAX_FRAME) {
      fprintf(stderr, "nl-relay: frame of %u bytes is too large\n", len);
      return 1;
    }
    if (len > reqcap) req = grow(req, reqcap = len);
    read_full(req, len);
    if (len + 65536 > (uint32_t)sndbuf) set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf = (int)len + 65536);
    ssize_t sent;
    do sent = sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof kernel);
    while (sent < 0 && errno == EINTR);
    int err = sent < 0 ? errno : 0;
    drain(fd);
    put_frame(K_DONE, err, NULL, 0);
  }
}
