/*
 * sendzc: does io_uring's zero-copy send (IORING_OP_SEND_ZC, Linux >= 6.0) pay on this
 * machine's loopback? Issue 11 names it as a candidate for large frames on the io_uring path.
 *
 * One process, one loopback TCP connection: the main thread keeps <depth> io_uring sends of
 * <size> bytes in flight (plain IORING_OP_SEND, or SEND_ZC with IORING_SEND_ZC_REPORT_USAGE,
 * whose buffer stays busy until its notification), a second thread recv()s and counts. Each
 * mode runs <seconds>, alternating, <rounds> times. Per run it prints the bytes per second and
 * how many SEND_ZC notifications said the kernel copied the data after all
 * (IORING_NOTIF_USAGE_ZC_COPIED): on loopback every one does, because a local receive queue
 * cannot hold the sender's pages (the copy moves from the send into the loopback delivery).
 *
 * Usage: sendzc [size=65536] [seconds=2] [rounds=3] [depth=8]   (exit 3: no SEND_ZC here)
 * Build: cc -O2 -o /tmp/sendzc tools/bench/c/sendzc.c -luring -lpthread   (liburing-dev)
 * Results: docs/performance-analysis.md, "Zero-copy sends".
 */
#define _GNU_SOURCE
#include <liburing.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Newer than liburing 2.3's headers; the kernel ABI values (include/uapi/linux/io_uring.h). */
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

enum { NBUF = 32 };

struct reader {
  int fd;
  volatile int stop;
  long long bytes;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, int err) {
  fprintf(stderr, "sendzc: %s: %s\n", what, strerror(err));
  exit(1);
}

static void *read_loop(void *arg) {
  struct reader *r = arg;
  size_t cap = 1 << 20;
  char *buf = malloc(cap);
  while (!r->stop) {
    ssize_t n = recv(r->fd, buf, cap, 0);
    if (n <= 0) break;
    __atomic_add_fetch(&r->bytes, n, __ATOMIC_RELAXED);
  }
  free(buf);
  return NULL;
}

/* A connected loopback pair: *out sends, *in receives. */
static void loopback_pair(int *out, int *in) {
  int one = 1;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &len)) die("listen", errno);
  *out = socket(AF_INET, SOCK_STREAM, 0);
  if (*out < 0 || connect(*out, (struct sockaddr *)&a, sizeof a)) die("connect", errno);
  *in = accept(l, NULL, NULL);
  if (*in < 0) die("accept", errno);
  setsockopt(*out, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  close(l);
}

/* One run of `seconds`; returns bytes received per second, counts ZC notifications. */
static double run(int zc, size_t size, double seconds, int depth, long long *notifs, long long *copied) {
  int out, in;
  loopback_pair(&out, &in);
  struct reader r = {.fd = in};
  pthread_t th;
  pthread_create(&th, NULL, read_loop, &r);
  struct io_uring ring;
  int err = io_uring_queue_init(2 * NBUF, &ring, 0);
  if (err < 0) die("io_uring_queue_init", -err);
  char *bufs[NBUF];
  int busy[NBUF] = {0}; /* completions still owed per buffer: the send, and for ZC its notification */
  for (int i = 0; i < NBUF; i++) {
    bufs[i] = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
    memset(bufs[i], i, size);
  }
  int inflight = 0, next = 0;
  *notifs = *copied = 0;
  long long start_bytes = 0;
  double t0 = now_s(), warm = t0 + 0.3, end = warm + seconds, t_start = 0;
  for (;;) {
    double t = now_s();
    if (t_start == 0 && t >= warm) {
      t_start = t;
      start_bytes = __atomic_load_n(&r.bytes, __ATOMIC_RELAXED);
    }
    if (t >= end) break;
    while (inflight < depth) {
      int i = -1;
      for (int k = 0; k < NBUF; k++) {
        int j = (next + k) % NBUF;
        if (busy[j] == 0) {
          i = j;
          break;
        }
      }
      if (i < 0) break;
      next = (i + 1) % NBUF;
      struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
      if (zc) {
        io_uring_prep_send_zc(sqe, out, bufs[i], size, MSG_NOSIGNAL, IORING_SEND_ZC_REPORT_USAGE);
        busy[i] = 2;
      } else {
        io_uring_prep_send(sqe, out, bufs[i], size, MSG_NOSIGNAL);
        busy[i] = 1;
      }
      io_uring_sqe_set_data64(sqe, (unsigned long long)i);
      inflight++;
    }
    err = io_uring_submit_and_wait(&ring, 1);
    if (err < 0 && err != -EINTR) die("io_uring_submit_and_wait", -err);
    struct io_uring_cqe *cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      int i = (int)io_uring_cqe_get_data64(cqe);
      seen++;
      if (cqe->flags & IORING_CQE_F_NOTIF) {
        if (t_start != 0) {
          (*notifs)++;
          if ((unsigned)cqe->res & IORING_NOTIF_USAGE_ZC_COPIED) (*copied)++;
        }
        busy[i]--;
        continue;
      }
      if (cqe->res < 0) die(zc ? "send_zc" : "send", -cqe->res);
      inflight--;
      busy[i]--;
      if (zc && !(cqe->flags & IORING_CQE_F_MORE)) busy[i]--; /* no notification follows */
    }
    io_uring_cq_advance(&ring, seen);
  }
  double rate = (double)(__atomic_load_n(&r.bytes, __ATOMIC_RELAXED) - start_bytes) / (now_s() - t_start);
  r.stop = 1;
  shutdown(out, SHUT_RDWR);
  pthread_join(th, NULL);
  io_uring_queue_exit(&ring);
  close(out);
  close(in);
  for (int i = 0; i < NBUF; i++) free(bufs[i]);
  return rate;
}

int main(int argc, char **argv) {
  size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 65536;
  double seconds = argc > 2 ? atof(argv[2]) : 2;
  int rounds = argc > 3 ? atoi(argv[3]) : 3;
  int depth = argc > 4 ? atoi(argv[4]) : 8;
  if (size == 0 || seconds <= 0 || rounds <= 0 || depth <= 0 || depth > NBUF / 2) {
    fprintf(stderr, "usage: sendzc [size>0] [seconds>0] [rounds>0] [depth 1..%d]\n", NBUF / 2);
    return 2;
  }
  struct io_uring_probe *probe = io_uring_get_probe();
  int supported = probe != NULL && io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
  if (probe != NULL) io_uring_free_probe(probe);
  if (!supported) {
    printf("sendzc: this kernel has no IORING_OP_SEND_ZC (Linux >= 6.0)\n");
    return 3;
  }
  printf("loopback TCP, %zu B sends, %d in flight, %.1f s per run\n", size, depth, seconds);
  for (int round = 0; round < rounds; round++) {
    for (int zc = 0; zc <= 1; zc++) {
      long long notifs, copied;
      double rate = run(zc, size, seconds, depth, &notifs, &copied);
      printf("  %-8s %6.2f GB/s", zc ? "send_zc" : "send", rate / 1e9);
      if (zc) printf("  notifications %lld, copied %lld", notifs, copied);
      printf("\n");
      fflush(stdout);
    }
  }
  return 0;
}
