/*
 * A libzmq PEER (draft socket type 19, RFC 51) for Monocoque's interop tests, run in its
 * own process. npm `zeromq` cannot drive a PEER (it passes routing ids only for SERVER
 * sockets and has no zmq_connect_peer), and Debian's libzmq is built without the draft
 * API, so this small program loads the libzmq 4.3.5 (draft API on) that npm `zeromq`'s
 * native addon links in, through dlopen, and speaks a line protocol on stdin/stdout:
 *
 *   startup             -> "ready <major>.<minor>.<patch>"   (or "fatal <reason>", exit 1)
 *   bind <endpoint>     -> "ok <last endpoint>"
 *   connect <endpoint>  -> "ok <routing id>"                 (zmq_connect_peer)
 *   send <id> <hex>     -> "ok"                              (single part to routing id)
 *   sendmore <id> <hex> -> "ok"                              (a multipart attempt: part 1 with ZMQ_SNDMORE)
 *   recv <timeout ms>   -> "ok <id> <hex>"
 * A failure answers "err <errno> <zmq_strerror text>". EOF on stdin ends the process.
 * Usage: zmq-draft-peer <addon.node> [<addon.node> ...]  (the first that exports the draft API is used)
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { unsigned char _[64] __attribute__((aligned(8))); } zmq_msg_t;

static void *(*ctx_new)(void);
static void *(*socket_new)(void *, int);
static int (*sock_bind)(void *, const char *);
static uint32_t (*connect_peer)(void *, const char *);
static int (*getsockopt_)(void *, int, void *, size_t *);
static int (*setsockopt_)(void *, int, const void *, size_t);
static int (*msg_init)(zmq_msg_t *);
static int (*msg_init_size)(zmq_msg_t *, size_t);
static void *(*msg_data)(zmq_msg_t *);
static size_t (*msg_size)(const zmq_msg_t *);
static int (*msg_send)(zmq_msg_t *, void *, int);
static int (*msg_recv)(zmq_msg_t *, void *, int);
static int (*msg_close)(zmq_msg_t *);
static int (*msg_set_routing_id)(zmq_msg_t *, uint32_t);
static uint32_t (*msg_routing_id)(zmq_msg_t *);
static int (*errno_)(void);
static const char *(*strerror_)(int);
static void (*version)(int *, int *, int *);

#define LOAD(var, name) if (!(*(void **)&var = dlsym(h, name))) { dlclose(h); return 0; }

static int load(const char *path) {
  void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
  if (!h) return 0;
  LOAD(ctx_new, "zmq_ctx_new") LOAD(socket_new, "zmq_socket") LOAD(sock_bind, "zmq_bind")
  LOAD(connect_peer, "zmq_connect_peer") LOAD(getsockopt_, "zmq_getsockopt") LOAD(setsockopt_, "zmq_setsockopt")
  LOAD(msg_init, "zmq_msg_init") LOAD(msg_init_size, "zmq_msg_init_size") LOAD(msg_data, "zmq_msg_data")
  LOAD(msg_size, "zmq_msg_size") LOAD(msg_send, "zmq_msg_send") LOAD(msg_recv, "zmq_msg_recv")
  LOAD(msg_close, "zmq_msg_close") LOAD(msg_set_routing_id, "zmq_msg_set_routing_id")
  LOAD(msg_routing_id, "zmq_msg_routing_id") LOAD(errno_, "zmq_errno") LOAD(strerror_, "zmq_strerror")
  LOAD(version, "zmq_version")
  return 1;
}

static void err(void) {
  int e = errno_();
  printf("err %d %s\n", e, strerror_(e));
}

static int unhex(const char *s, unsigned char *out) {
  size_t n = strlen(s) / 2;
  for (size_t i = 0; i < n; i++) sscanf(s + 2 * i, "%2hhx", &out[i]);
  return (int)n;
}

static int send_part(void *sock, uint32_t id, const char *hex, int flags) {
  static unsigned char buf[1 << 21];
  int n = unhex(hex, buf);
  zmq_msg_t m;
  msg_init_size(&m, (size_t)n);
  memcpy(msg_data(&m), buf, (size_t)n);
  msg_set_routing_id(&m, id);
  if (msg_send(&m, sock, flags) < 0) {
    int e = errno_();
    msg_close(&m);
    return -e;
  }
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int loaded = 0;
  for (int i = 1; i < argc && !loaded; i++) loaded = load(argv[i]);
  if (!loaded) {
    printf("fatal no given library exports libzmq's draft API (zmq_connect_peer, zmq_msg_set_routing_id)\n");
    return 1;
  }
  void *sock = socket_new(ctx_new(), 19 /* ZMQ_PEER */);
  if (!sock) {
    printf("fatal zmq_socket(ZMQ_PEER) failed: %s\n", strerror_(errno_()));
    return 1;
  }
  int zero = 0;
  setsockopt_(sock, 17 /* ZMQ_LINGER */, &zero, sizeof zero);
  int a, b, c;
  version(&a, &b, &c);
  printf("ready %d.%d.%d\n", a, b, c);
  static char line[1 << 22];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = 0;
    char *op = strtok(line, " ");
    char *arg1 = strtok(NULL, " ");
    char *arg2 = strtok(NULL, " ");
    if (!op) continue;
    if (!strcmp(op, "bind") && arg1) {
      if (sock_bind(sock, arg1) < 0) { err(); continue; }
      char ep[256];
      size_t len = sizeof ep;
      getsockopt_(sock, 32 /* ZMQ_LAST_ENDPOINT */, ep, &len);
      printf("ok %s\n", ep);
    } else if (!strcmp(op, "connect") && arg1) {
      uint32_t id = connect_peer(sock, arg1);
      if (id == 0) err();
      else printf("ok %u\n", id);
    } else if ((!strcmp(op, "send") || !strcmp(op, "sendmore")) && arg1) {
      int rc = send_part(sock, (uint32_t)strtoul(arg1, NULL, 10), arg2 ? arg2 : "", !strcmp(op, "sendmore") ? 2 /* ZMQ_SNDMORE */ : 0);
      if (rc < 0) printf("err %d %s\n", -rc, strerror_(-rc));
      else printf("ok\n");
    } else if (!strcmp(op, "recv") && arg1) {
      int timeout = atoi(arg1);
      setsockopt_(sock, 27 /* ZMQ_RCVTIMEO */, &timeout, sizeof timeout);
      zmq_msg_t m;
      msg_init(&m);
      if (msg_recv(&m, sock, 0) < 0) { err(); msg_close(&m); continue; }
      const unsigned char *d = msg_data(&m);
      size_t n = msg_size(&m);
      printf("ok %u ", msg_routing_id(&m));
      for (size_t i = 0; i < n; i++) printf("%02x", d[i]);
      printf("\n");
      msg_close(&m);
    } else {
      printf("err %d unknown request\n", EINVAL);
    }
  }
  return 0;
}
