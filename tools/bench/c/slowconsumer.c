/*
 * slowconsumer: the libzmq (C) column of tools/bench/slow-consumer.mjs.
 *
 * Speaks that script's line protocol (one JSON object per stdout line):
 *   receiver: binds a PULL, prints {"event":"ready","endpoint":...,"rssBytes":...}; waits for
 *             the first message, then stalls (reads nothing) for <stall_ms>, then reads one
 *             message per millisecond for <slow_ms>, and prints
 *             {"event":"done","received":...} and stays up until killed.
 *   sender:   opens <peers> PUSH sockets, connects each to <endpoint>, prints
 *             {"event":"ready","rssBytes":...}, waits 300 ms, then sends <size>-byte messages
 *             (a fresh zmq_msg each, as an application would) round-robin as fast as the
 *             sockets take them, until killed.
 * Both sides set the high-water mark (<hwm>, libzmq's default 1000) explicitly.
 *
 * Usage: slowconsumer receiver <endpoint> <size> <hwm> <stall_ms> <slow_ms>
 *        slowconsumer sender <endpoint> <size> <hwm> <peers>
 * Built on the fly by slow-consumer.mjs: cc -O2 -o <tmp>/slowconsumer slowconsumer.c -lzmq
 */
#define _POSIX_C_SOURCE 200809L
#include <zmq.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6)};
  nanosleep(&ts, NULL);
}

static void die(const char *what) {
  printf("{\"event\":\"error\",\"message\":\"%s: %s\"}\n", what, zmq_strerror(zmq_errno()));
  fflush(stdout);
  exit(1);
}

/* Current resident set size in bytes (/proc/self/statm). */
static long rss_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f == NULL) return 0;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

static int receiver(void *ctx, const char *endpoint, int hwm, double stall_ms, double slow_ms) {
  void *pull = zmq_socket(ctx, ZMQ_PULL);
  if (zmq_setsockopt(pull, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0) die("ZMQ_RCVHWM");
  if (zmq_bind(pull, endpoint) != 0) die("zmq_bind");
  char last[256];
  size_t len = sizeof last;
  if (zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, last, &len) != 0) die("ZMQ_LAST_ENDPOINT");
  sleep_ms(200);
  printf("{\"event\":\"ready\",\"endpoint\":\"%s\",\"rssBytes\":%ld}\n", last, rss_bytes());
  fflush(stdout);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  long received = 0;
  if (zmq_msg_recv(&msg, pull, 0) < 0) die("zmq_msg_recv");
  received++;
  sleep_ms(stall_ms);
  double end = now_ms() + slow_ms;
  while (now_ms() < end) {
    if (zmq_msg_recv(&msg, pull, ZMQ_DONTWAIT) >= 0) received++;
    sleep_ms(1);
  }
  zmq_msg_close(&msg);
  printf("{\"event\":\"done\",\"received\":%ld}\n", received);
  fflush(stdout);
  for (;;) pause();
}

static int sender(void *ctx, const char *endpoint, size_t size, int hwm, int peers) {
  void **socks = calloc((size_t)peers, sizeof *socks);
  zmq_pollitem_t *items = calloc((size_t)peers, sizeof *items);
  for (int i = 0; i < peers; i++) {
    socks[i] = zmq_socket(ctx, ZMQ_PUSH);
    if (zmq_setsockopt(socks[i], ZMQ_SNDHWM, &hwm, sizeof hwm) != 0) die("ZMQ_SNDHWM");
    if (zmq_connect(socks[i], endpoint) != 0) die("zmq_connect");
    items[i].socket = socks[i];
    items[i].events = ZMQ_POLLOUT;
  }
  printf("{\"event\":\"ready\",\"rssBytes\":%ld}\n", rss_bytes());
  fflush(stdout);
  sleep_ms(300);
  for (;;) {
    int sent = 0;
    for (int i = 0; i < peers; i++) {
      zmq_msg_t msg;
      zmq_msg_init_size(&msg, size);
      memset(zmq_msg_data(&msg), (int)(i & 0xff), size);
      if (zmq_msg_send(&msg, socks[i], ZMQ_DONTWAIT) >= 0) {
        sent++;
      } else {
        zmq_msg_close(&msg);
        if (zmq_errno() != EAGAIN) die("zmq_msg_send");
      }
    }
    if (sent == 0 && zmq_poll(items, peers, 100) < 0 && zmq_errno() != EINTR) die("zmq_poll");
  }
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: slowconsumer receiver|sender <endpoint> <size> <hwm> ...\n");
    return 2;
  }
  void *ctx = zmq_ctx_new();
  const char *role = argv[1];
  const char *endpoint = argv[2];
  size_t size = (size_t)atol(argv[3]);
  int hwm = atoi(argv[4]);
  if (strcmp(role, "receiver") == 0) {
    if (argc < 7) return 2;
    return receiver(ctx, endpoint, hwm, atof(argv[5]), atof(argv[6]));
  }
  return sender(ctx, endpoint, size, hwm, atoi(argv[5]));
}
