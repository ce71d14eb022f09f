/*
 * zmqbench: the libzmq (C) column of the Monocoque side-by-side benchmark.
 *
 * Speaks the same line protocol as tools/bench/worker.mjs, so the runner treats all
 * implementations alike:
 *   - the binding side prints {"event":"ready","endpoint":"..."} once it is listening;
 *   - the measuring side prints {"event":"result",...} and exits 0;
 *   - the other side runs until the runner sends SIGTERM.
 *
 * Usage:
 *   zmqbench <role> <pattern> <endpoint> <size> <warmup_ms> <warmup_msgs> <duration_ms> <max_msgs>
 *   zmqbench --version        → the libzmq version it runs against, then "curve" when
 *                               this libzmq has CURVE (zmq_has)
 *
 * CURVE: with ZMQBENCH_CURVE_SECRET in the environment the socket runs CURVE — a server
 * with that secret key, a client with ZMQBENCH_CURVE_PUBLIC/SECRET and
 * ZMQBENCH_CURVE_SERVERKEY (40-character Z85 keys). Every run prints
 * {"event":"security","mechanism":"null"|"curve",...} from ZMQ_MECHANISM.
 *     role:    server (binds) | client (connects)
 *     pattern: req-rep | dealer-router | push-pull | pub-sub
 *
 * Built on the fly by run.mjs:  cc -O2 -o <tmp>/zmqbench zmqbench.c -lzmq
 */
#define _POSIX_C_SOURCE 200809L
#include <zmq.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_term(int sig) {
  (void)sig;
  stop_requested = 1;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  printf("{\"event\":\"error\",\"message\":\"%s: %s\"}\n", what, zmq_strerror(zmq_errno()));
  fflush(stdout);
  exit(1);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array (same definition as lib/stats.mjs). */
static double percentile(const double *sorted, size_t n, double p) {
  if (n == 0) return 0;
  size_t rank = (size_t)((p / 100.0) * (double)n + 0.999999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return sorted[rank - 1];
}

typedef struct {
  const char *role, *pattern, *endpoint;
  size_t size;
  double warmup_ms, duration_ms;
  long warmup_msgs, max_msgs;
} opts_t;

/* Echo server for req-rep (REP) and dealer-router (ROUTER): every message goes back as is. */
static void run_echo_server(void *sock) {
  zmq_msg_t part;
  zmq_msg_init(&part);
  while (!stop_requested) {
    int more;
    do {
      if (zmq_msg_recv(&part, sock, 0) < 0) {
        if (zmq_errno() == EINTR) return;
        die("recv");
      }
      more = zmq_msg_more(&part);
      if (zmq_msg_send(&part, sock, more ? ZMQ_SNDMORE : 0) < 0) {
        if (zmq_errno() == EINTR) return;
        die("send");
      }
    } while (more);
  }
}

/* Sender for push-pull (PUSH client) and pub-sub (PUB server): send until SIGTERM. */
static void run_sender(void *sock, size_t size) {
  char *payload = calloc(size ? size : 1, 1);
  memset(payload, 'x', size);
  while (!stop_requested) {
    if (zmq_send(sock, payload, size, 0) < 0) {
      if (zmq_errno() == EINTR) break;
      die("send");
    }
  }
  free(payload);
}

/* Round-trip client for req-rep (REQ) and dealer-router (DEALER). */
static void run_latency_client(void *sock, const opts_t *o) {
  char *payload = calloc(o->size ? o->size : 1, 1);
  memset(payload, 'x', o->size);
  zmq_msg_t reply;
  zmq_msg_init(&reply);
  size_t cap = 1 << 16, n = 0;
  double *samples = malloc(cap * sizeof(double));
  long warm = 0;
  double start = now_ms(), measure_start = 0, sum = 0;
  int measuring = 0;
  for (;;) {
    double t0 = now_ms();
    if (!measuring && warm >= o->warmup_msgs && t0 - start >= o->warmup_ms) {
      measuring = 1;
      measure_start = t0;
    }
    if (measuring && (t0 - measure_start >= o->duration_ms || (long)n >= o->max_msgs)) break;
    if (zmq_send(sock, payload, o->size, 0) < 0) die("send");
    if (zmq_msg_recv(&reply, sock, 0) < 0) die("recv");
    if (zmq_msg_size(&reply) != o->size) {
      printf("{\"event\":\"error\",\"message\":\"reply of %zu bytes, expected %zu\"}\n", zmq_msg_size(&reply), o->size);
      exit(1);
    }
    double rtt_us = (now_ms() - t0) * 1e3;
    if (!measuring) {
      warm++;
      continue;
    }
    if (n == cap) {
      cap *= 2;
      samples = realloc(samples, cap * sizeof(double));
    }
    samples[n++] = rtt_us;
    sum += rtt_us;
  }
  double elapsed_ms = now_ms() - measure_start;
  qsort(samples, n, sizeof(double), cmp_double);
  printf("{\"event\":\"result\",\"kind\":\"latency\",\"count\":%zu,\"warmupCount\":%ld,\"elapsedMs\":%.3f,"
         "\"p50Us\":%.3f,\"p99Us\":%.3f,\"meanUs\":%.3f,\"minUs\":%.3f,\"maxUs\":%.3f}\n",
         n, warm, elapsed_ms, percentile(samples, n, 50), percentile(samples, n, 99), n ? sum / (double)n : 0,
         n ? samples[0] : 0, n ? samples[n - 1] : 0);
  fflush(stdout);
  free(samples);
  free(payload);
}

/* Receiver for push-pull (PULL server) and pub-sub (SUB client): counts what arrives. */
static void run_receiver(void *sock, const opts_t *o) {
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  long warm = 0, count = 0;
  double first = 0, measure_start = 0, t = 0;
  int measuring = 0;
  for (;;) {
    if (zmq_msg_recv(&msg, sock, 0) < 0) die("recv");
    if (zmq_msg_size(&msg) != o->size) {
      printf("{\"event\":\"error\",\"message\":\"message of %zu bytes, expected %zu\"}\n", zmq_msg_size(&msg), o->size);
      exit(1);
    }
    if (!measuring) {
      t = now_ms();
      if (warm == 0) first = t;
      warm++;
      if (warm >= o->warmup_msgs && t - first >= o->warmup_ms) {
        measuring = 1;
        measure_start = t;
      }
      continue;
    }
    count++;
    if (count >= o->max_msgs) break;
    if ((count & 15) == 0 && now_ms() - measure_start >= o->duration_ms) break;
  }
  double elapsed_ms = now_ms() - measure_start;
  double secs = elapsed_ms / 1e3;
  printf("{\"event\":\"result\",\"kind\":\"throughput\",\"count\":%ld,\"warmupCount\":%ld,\"elapsedMs\":%.3f,"
         "\"msgPerSec\":%.1f,\"mbPerSec\":%.3f}\n",
         count, warm, elapsed_ms, (double)count / secs, (double)count * (double)o->size / secs / 1e6);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    printf("%d.%d.%d%s\n", major, minor, patch, zmq_has("curve") ? " curve" : "");
    return 0;
  }
  if (argc != 9) {
    fprintf(stderr, "usage: %s role pattern endpoint size warmup_ms warmup_msgs duration_ms max_msgs\n", argv[0]);
    return 2;
  }
  opts_t o = {
      .role = argv[1],
      .pattern = argv[2],
      .endpoint = argv[3],
      .size = (size_t)atol(argv[4]),
      .warmup_ms = atof(argv[5]),
      .warmup_msgs = atol(argv[6]),
      .duration_ms = atof(argv[7]),
      .max_msgs = atol(argv[8]),
  };

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  int server = strcmp(o.role, "server") == 0;
  int type;
  if (strcmp(o.pattern, "req-rep") == 0) type = server ? ZMQ_REP : ZMQ_REQ;
  else if (strcmp(o.pattern, "dealer-router") == 0) type = server ? ZMQ_ROUTER : ZMQ_DEALER;
  else if (strcmp(o.pattern, "push-pull") == 0) type = server ? ZMQ_PULL : ZMQ_PUSH;
  else if (strcmp(o.pattern, "pub-sub") == 0) type = server ? ZMQ_PUB : ZMQ_SUB;
  else {
    fprintf(stderr, "unknown pattern %s\n", o.pattern);
    return 2;
  }

  void *ctx = zmq_ctx_new();
  void *sock = zmq_socket(ctx, type);
  if (!sock) die("socket");
  int zero = 0;
  zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
  if (type == ZMQ_SUB) zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0);

  const char *curve_secret = getenv("ZMQBENCH_CURVE_SECRET");
  if (curve_secret) {
    if (server) {
      int one = 1;
      if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0) die("ZMQ_CURVE_SERVER");
    } else {
      const char *server_key = getenv("ZMQBENCH_CURVE_SERVERKEY"), *public_key = getenv("ZMQBENCH_CURVE_PUBLIC");
      if (!server_key || !public_key) {
        printf("{\"event\":\"error\",\"message\":\"CURVE client needs ZMQBENCH_CURVE_SERVERKEY and ZMQBENCH_CURVE_PUBLIC\"}\n");
        exit(1);
      }
      if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_key, strlen(server_key)) != 0) die("ZMQ_CURVE_SERVERKEY");
      if (zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, public_key, strlen(public_key)) != 0) die("ZMQ_CURVE_PUBLICKEY");
    }
    if (zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, curve_secret, strlen(curve_secret)) != 0) die("ZMQ_CURVE_SECRETKEY");
  }
  int mechanism = 0;
  size_t mechanism_len = sizeof mechanism;
  zmq_getsockopt(sock, ZMQ_MECHANISM, &mechanism, &mechanism_len);
  printf("{\"event\":\"security\",\"mechanism\":\"%s\"%s}\n",
         mechanism == ZMQ_CURVE ? "curve" : mechanism == ZMQ_NULL ? "null" : "other", mechanism == ZMQ_CURVE ? ",\"backend\":\"libzmq\"" : "");
  fflush(stdout);

  if (server) {
    if (zmq_bind(sock, o.endpoint) != 0) die("bind");
    char ep[1024];
    size_t len = sizeof ep;
    zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, ep, &len);
    printf("{\"event\":\"ready\",\"endpoint\":\"%s\"}\n", ep);
    fflush(stdout);
  } else if (zmq_connect(sock, o.endpoint) != 0) {
    die("connect");
  }

  switch (type) {
    case ZMQ_REP:
    case ZMQ_ROUTER: run_echo_server(sock); break;
    case ZMQ_REQ:
    case ZMQ_DEALER: run_latency_client(sock, &o); break;
    case ZMQ_PULL:
    case ZMQ_SUB: run_receiver(sock, &o); break;
    case ZMQ_PUSH:
    case ZMQ_PUB: run_sender(sock, o.size); break;
  }

  zmq_close(sock);
  zmq_ctx_term(ctx);
  return 0;
}
