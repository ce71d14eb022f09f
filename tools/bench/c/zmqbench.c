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
 *   zmqbench <role> <pattern> <endpoint> <size> <warmup_ms> <warmup_msgs> <duration_ms> <max_msgs> [<peers> <join_timeout_ms>]
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
 * Fan-out/fan-in rows (with <peers>): the client opens <peers> sockets in one context and
 * drives them from one thread with zmq_poll — N SUBs (pub-sub), N DEALERs with one request
 * in flight each (dealer-router), N PUSHes whose messages carry the sender's index in their
 * first two bytes (push-pull, counted per pusher by the PULL server). Counting per peer
 * follows tools/bench/lib/meter.mjs: warm up until every peer has been heard from, then
 * a window; the result has the total rate and the slowest and fastest peer's.
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
#include <sys/epoll.h>
#include <sys/resource.h>
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
  long peers;
  double join_timeout_ms;
} opts_t;

/* ---- per-peer counting for the fan-out/fan-in rows (the twin of lib/meter.mjs) ---- */
enum { WARMING, MEASURING, DONE };

typedef struct {
  const opts_t *o;
  double *counts, *start_counts;
  double created, first, joined_at, measure_start, end;
  long total, total_at_start, joined;
  int phase;
} meter_t;

static void meter_init(meter_t *m, const opts_t *o) {
  memset(m, 0, sizeof *m);
  m->o = o;
  m->counts = calloc((size_t)o->peers, sizeof(double));
  m->start_counts = calloc((size_t)o->peers, sizeof(double));
  m->created = now_ms();
  m->phase = WARMING;
}

/* Read the clock and move between phases; returns 1 once the window is over. */
static int meter_tick(meter_t *m) {
  if (m->phase == DONE) return 1;
  double t = now_ms();
  if (m->phase == WARMING) {
    if (m->joined == m->o->peers && m->total >= m->o->warmup_msgs && t - m->first >= m->o->warmup_ms) {
      m->phase = MEASURING;
      m->measure_start = t;
      memcpy(m->start_counts, m->counts, (size_t)m->o->peers * sizeof(double));
      m->total_at_start = m->total;
    } else if (m->joined < m->o->peers && t - m->created >= m->o->join_timeout_ms) {
      printf("{\"event\":\"error\",\"message\":\"only %ld of %ld peers were heard from within %.0f ms (%ld messages in all)\"}\n",
             m->joined, m->o->peers, m->o->join_timeout_ms, m->total);
      fflush(stdout);
      exit(1);
    }
  } else if (t - m->measure_start >= m->o->duration_ms) {
    m->phase = DONE;
    m->end = t;
  }
  return m->phase == DONE;
}

/* Count one message of peer i; returns 1 once the window is over. */
static int meter_hit(meter_t *m, long i) {
  double c = ++m->counts[i];
  long total = ++m->total;
  if (m->phase == MEASURING) {
    if (total - m->total_at_start >= m->o->max_msgs) {
      m->phase = DONE;
      m->end = now_ms();
    } else if ((total & 63) == 0) {
      meter_tick(m);
    }
    return m->phase == DONE;
  }
  if (m->phase == DONE) return 1;
  if (total == 1) m->first = now_ms();
  if (c == 1 && ++m->joined == m->o->peers) {
    m->joined_at = now_ms();
    meter_tick(m);
  } else if ((total & 63) == 0) {
    meter_tick(m);
  }
  return m->phase == DONE;
}

static void meter_report(const meter_t *m, int with_mb) {
  double elapsed_ms = m->end - m->measure_start, secs = elapsed_ms / 1e3;
  double min = -1, max = 0;
  long silent = 0;
  for (long i = 0; i < m->o->peers; i++) {
    double d = m->counts[i] - m->start_counts[i];
    if (min < 0 || d < min) min = d;
    if (d > max) max = d;
    if (d == 0) silent++;
  }
  long count = m->total - m->total_at_start;
  printf("{\"event\":\"result\",\"kind\":\"fanout\",\"peers\":%ld,\"count\":%ld,\"warmupCount\":%ld,\"elapsedMs\":%.3f,"
         "\"msgPerSec\":%.1f,\"minPerSec\":%.1f,\"maxPerSec\":%.1f,\"silentPeers\":%ld,\"joinMs\":%.1f",
         m->o->peers, count, m->total_at_start, elapsed_ms, (double)count / secs, min / secs, max / secs, silent,
         m->joined_at - m->created);
  if (with_mb) printf(",\"mbPerSec\":%.3f", (double)count * (double)m->o->size / secs / 1e6);
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) printf(",\"rssPeakBytes\":%ld", (long)ru.ru_maxrss * 1024);
  printf("}\n");
  fflush(stdout);
}

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

/* Fan-out client: N SUBs (pub-sub) or N DEALERs with one request in flight each
 * (dealer-router), all in this thread. Driven the way zeromq.js drives its sockets (and
 * the way libzmq's zmq_poller does): epoll on each socket's ZMQ_FD, then ZMQ_EVENTS and
 * non-blocking recv/send until that socket has nothing more to do. (zmq_poll walks all N
 * sockets on every call, which costs more than the ROUTER's work at N = 1000.) */
typedef struct {
  void **socks;
  int type;
  const opts_t *o;
  meter_t *m;
  char *need_send;   /* DEALER: the next request is still to be sent */
  char *queued;      /* on the `again` list */
  long *again, nagain;
  zmq_msg_t msg;
  const char *payload;
} many_t;

/* Work socket i until it would block; returns 1 once the window is over. A socket that
 * still has work after a bounded burst goes on the `again` list (fairness). */
static int service(many_t *c, long i) {
  void *s = c->socks[i];
  for (int burst = 0; burst < 256; burst++) {
    int ev = 0;
    size_t len = sizeof ev;
    if (zmq_getsockopt(s, ZMQ_EVENTS, &ev, &len) != 0) {
      if (zmq_errno() == EINTR) continue;
      die("ZMQ_EVENTS");
    }
    if (c->type == ZMQ_DEALER && c->need_send[i] && (ev & ZMQ_POLLOUT)) {
      if (zmq_send(s, c->payload, c->o->size, ZMQ_DONTWAIT) < 0) {
        if (zmq_errno() != EAGAIN && zmq_errno() != EINTR) die("send");
      } else {
        c->need_send[i] = 0;
      }
      continue;
    }
    if (!(ev & ZMQ_POLLIN)) return 0;
    if (zmq_msg_recv(&c->msg, s, ZMQ_DONTWAIT) < 0) {
      if (zmq_errno() == EAGAIN || zmq_errno() == EINTR) continue;
      die("recv");
    }
    if (zmq_msg_size(&c->msg) != c->o->size) {
      printf("{\"event\":\"error\",\"message\":\"message of %zu bytes, expected %zu\"}\n", zmq_msg_size(&c->msg), c->o->size);
      exit(1);
    }
    if (meter_hit(c->m, i)) return 1;
    if (c->type == ZMQ_DEALER) c->need_send[i] = 1; /* reply in: the next request goes now */
  }
  if (!c->queued[i]) {
    c->queued[i] = 1;
    c->again[c->nagain++] = i;
  }
  return 0;
}

static void run_many_clients(void *ctx, int type, const opts_t *o) {
  long n = o->peers;
  char *payload = calloc(o->size ? o->size : 1, 1);
  memset(payload, 'x', o->size);
  meter_t m;
  meter_init(&m, o);
  many_t c = {.socks = calloc((size_t)n, sizeof(void *)), .type = type, .o = o, .m = &m,
              .need_send = calloc((size_t)n, 1), .queued = calloc((size_t)n, 1),
              .again = calloc((size_t)n, sizeof(long)), .nagain = 0, .payload = payload};
  long *round = calloc((size_t)n, sizeof(long));
  zmq_msg_init(&c.msg);
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  int zero = 0;
  for (long i = 0; i < n; i++) {
    void *s = zmq_socket(ctx, type);
    if (!s) die("socket");
    c.socks[i] = s;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    if (type == ZMQ_SUB) zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect(s, o->endpoint) != 0) die("connect");
    int fd;
    size_t len = sizeof fd;
    if (zmq_getsockopt(s, ZMQ_FD, &fd, &len) != 0) die("ZMQ_FD");
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) != 0) die("epoll_ctl");
    c.need_send[i] = type == ZMQ_DEALER;
    c.queued[i] = 1; /* every socket is looked at once to start */
    c.again[c.nagain++] = i;
  }
  struct epoll_event evs[256];
  while (!stop_requested) {
    long nround = c.nagain;
    memcpy(round, c.again, (size_t)nround * sizeof(long));
    c.nagain = 0;
    for (long k = 0; k < nround; k++) {
      c.queued[round[k]] = 0;
      if (service(&c, round[k])) goto done;
    }
    int got = epoll_wait(ep, evs, 256, c.nagain ? 0 : 10);
    if (got < 0 && errno != EINTR) die("epoll_wait");
    for (int k = 0; k < got; k++) {
      long i = (long)evs[k].data.u64;
      if (!c.queued[i] && service(&c, i)) goto done;
    }
    if (meter_tick(&m)) break;
  }
done:
  meter_report(&m, type == ZMQ_SUB);
  exit(0);
}

/* Fan-in client: N PUSH sockets sending flat out, each message tagged with the sender's
 * index (first two bytes, little-endian). */
static void run_many_pushers(void *ctx, const opts_t *o) {
  long n = o->peers;
  void **socks = calloc((size_t)n, sizeof(void *));
  zmq_pollitem_t *items = calloc((size_t)n, sizeof(zmq_pollitem_t));
  char *payload = calloc(o->size > 2 ? o->size : 2, 1);
  memset(payload, 'x', o->size);
  int zero = 0;
  for (long i = 0; i < n; i++) {
    socks[i] = zmq_socket(ctx, ZMQ_PUSH);
    if (!socks[i]) die("socket");
    zmq_setsockopt(socks[i], ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(socks[i], o->endpoint) != 0) die("connect");
    items[i].socket = socks[i];
    items[i].events = ZMQ_POLLOUT;
  }
  while (!stop_requested) {
    int sent = 0;
    for (long i = 0; i < n && !stop_requested; i++) {
      payload[0] = (char)(i & 0xff);
      payload[1] = (char)((i >> 8) & 0xff);
      for (int k = 0; k < 64; k++) {
        if (zmq_send(socks[i], payload, o->size, ZMQ_DONTWAIT) < 0) {
          if (zmq_errno() == EAGAIN || zmq_errno() == EINTR) break;
          die("send");
        }
        sent = 1;
      }
    }
    if (!sent && zmq_poll(items, (int)n, 100) < 0 && zmq_errno() != EINTR) die("zmq_poll");
  }
}

/* Fan-in server: one PULL counting per pusher (the index in the first two bytes). */
static void run_fanin_receiver(void *sock, const opts_t *o) {
  int timeout = 10; /* so that a stalled window still ends */
  zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  meter_t m;
  meter_init(&m, o);
  for (;;) {
    if (zmq_msg_recv(&msg, sock, 0) < 0) {
      if (zmq_errno() == EAGAIN || zmq_errno() == EINTR) {
        if (meter_tick(&m)) break;
        continue;
      }
      die("recv");
    }
    if (zmq_msg_size(&msg) != o->size || o->size < 2) {
      printf("{\"event\":\"error\",\"message\":\"message of %zu bytes, expected %zu\"}\n", zmq_msg_size(&msg), o->size);
      exit(1);
    }
    const unsigned char *d = zmq_msg_data(&msg);
    long i = (long)d[0] | ((long)d[1] << 8);
    if (i >= o->peers) {
      printf("{\"event\":\"error\",\"message\":\"message from pusher %ld, expected < %ld\"}\n", i, o->peers);
      exit(1);
    }
    if (meter_hit(&m, i)) break;
  }
  meter_report(&m, 1);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    printf("%d.%d.%d%s\n", major, minor, patch, zmq_has("curve") ? " curve" : "");
    return 0;
  }
  if (argc != 9 && argc != 11) {
    fprintf(stderr, "usage: %s role pattern endpoint size warmup_ms warmup_msgs duration_ms max_msgs [peers join_timeout_ms]\n", argv[0]);
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
      .peers = argc == 11 ? atol(argv[9]) : 0,
      .join_timeout_ms = argc == 11 ? atof(argv[10]) : 0,
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

  if (o.peers > 0 && !server) {
    /* Fan-out/fan-in client: the sockets are made in the helpers. */
    zmq_close(sock);
    if (type == ZMQ_PUSH) run_many_pushers(ctx, &o);
    else if (type == ZMQ_SUB || type == ZMQ_DEALER) run_many_clients(ctx, type, &o);
    else {
      fprintf(stderr, "no fan-out client for %s\n", o.pattern);
      return 2;
    }
    zmq_ctx_term(ctx);
    return 0;
  }
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

  if (o.peers > 0 && type == ZMQ_PULL) {
    run_fanin_receiver(sock, &o);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
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
