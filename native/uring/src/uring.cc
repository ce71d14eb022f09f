// @monocoque/uring native addon: an io_uring byte-stream transport for Node.js.
//
// Design note (what this file implements)
// ----------------------------------------
// * One io_uring per Node environment (main thread and every worker thread), stored as
//   Node-API instance data. An async env cleanup hook cancels everything in flight,
//   closes every socket, tears the ring down and closes the libuv handles.
// * libuv integration: a uv_poll_t watches either
//     - the ring fd, ring created with IORING_SETUP_COOP_TASKRUN | SINGLE_ISSUER |
//       TASKRUN_FLAG ("coop" mode), or
//     - a registered eventfd, ring created with IORING_SETUP_DEFER_TASKRUN |
//       SINGLE_ISSUER; the poll callback calls io_uring_get_events ("defer" mode).
//   Send queues are flushed and queued SQEs submitted with one io_uring_enter right after
//   each wake-up's completions were handed to JS (so a reply written while handling them
//   leaves at once) and, for writes made elsewhere in the loop turn, by a uv_prepare_t
//   right before libuv blocks.
// * JS calls per wake-up: completions are turned into fixed-size event records in a
//   shared Int32Array. Received bytes are not copied here: the provided buffers live in
//   an ArrayBuffer that JS allocated (the "region"), and an EV_DATA record names the
//   bytes by offset into it. JS decodes them during the call and keeps no view of them
//   (the engine treats these chunks as transient); the buffers go back to the kernel
//   right after the call returns. Consecutive full buffers of one stream are adjacent
//   in the region, so their records merge into one. JS is called once the records name
//   kCallBuffers buffers (128 KiB), or the event array fills up, and at the end of the
//   wake-up. Each call ends with a microtask checkpoint, where the application consumes
//   what the call queued, while it is still in cache and young: handing JS up to half
//   the ring (2 MiB) per call queued ~30 k messages before any was read, and one PUB →
//   100 SUBs on io_uring ran at 0.6x the rate it reaches with 128 KiB per call (node:net
//   hands JS one 64 KiB read per call).
// * Receive: one multishot recv per socket (io_uring_prep_recv_multishot) selecting
//   buffers from a provided-buffer ring that is allocated and registered by hand
//   (liburing 2.3 has io_uring_register_buf_ring but no io_uring_setup_buf_ring).
//   Buffers go back to the ring once JS has seen their bytes (see above). The recv
//   is re-armed whenever the kernel ends it (no IORING_CQE_F_MORE, -ENOBUFS on buffer
//   exhaustion, -ECANCELED after a pause/resume race); after -ENOBUFS or the byte limit
//   below, only once the buffers are back. Pause cancels the recv so that TCP flow
//   control pushes back on the peer.
// * Sharing the ring: the kernel hands buffers to whichever armed recv runs first, and
//   arms submitted together run in submission order. So the recvs that ended on an empty
//   ring are re-armed once per wake-up, after its last JS call, ahead of every other arm
//   of that wake-up (byte-limited ones, and streams resumed while JS ran, which queue
//   behind them), and from then on they are byte-limited too, so one arm cannot take the
//   whole ring. Arming them after each of a wake-up's JS calls instead put those found in
//   a later call behind the limited arms of an earlier one, every wake-up: with 100 SUBs
//   of one busy PUB, a tenth got nothing for most of a second (stats().longestDryRun).
// * Byte-limited recvs: once a stream pauses part-way through more than 64 KiB handed in
//   one call, or receives bytes after it paused (JS copies them aside), each of its
//   recvs takes at most kRecvLimit bytes (kernel >= 6.17) and is
//   re-armed after JS has had them, so a loop turn hands JS at most 64 KiB of it, as
//   node:net's reads do. Unlimited, the kernel moved everything queued on the socket into
//   the buffers at once (hundreds of KiB) and what came after the pause was copied aside
//   (10 PUSHes into one PULL: 0.6x node:net's rate). Streams that keep up (no pause, no
//   empty ring) stay unlimited.
// * Send: a per-socket queue; one sendmsg in flight per socket carrying every queued
//   chunk as an iovec (partial sends resume at the right byte). Small chunks are copied
//   and coalesced into native blocks, large ones are kept alive with napi_ref until they
//   are written. Completions are not reported to JS except as drain (backpressure) and
//   errors (which close the stream).
// * Sockets are created and owned here: socket/bind/listen are plain syscalls, accept
//   (multishot), connect, send, recv and shutdown go through the ring. Closing is
//   shutdown + cancel-all-on-fd + close once the last operation has completed, so an fd
//   number is never reused while the kernel still references it.
// * No SQPOLL, no zero-copy send.
//
// All entry points run on the owning JS thread; nothing here is thread-safe by design
// (SINGLE_ISSUER).

#include <node_api.h>
#include <uv.h>
#include <liburing.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

// ---- tunables -------------------------------------------------------------------------
constexpr unsigned kSqEntries = 512;
constexpr unsigned kCqEntries = 8192;
constexpr unsigned kBufCount = 256;            // provided buffers (power of two)
constexpr unsigned kBufSize = 16 * 1024;       // bytes per provided buffer
constexpr uint16_t kBufGroup = 0;
constexpr unsigned kCallBuffers = 8;           // received buffers per JS call (128 KiB)
constexpr size_t kCopyThreshold = 1024;        // chunks up to this size are copied
constexpr size_t kCopyBlock = 16 * 1024;       // native coalescing block size
// Bytes one armed multishot recv may take before it ends (re-armed after JS has seen them),
// for streams whose reader pushes back: like node:net's one 64 KiB read per readable socket
// and loop turn. Kernels >= 6.17 honour it (sqe->optlen); older ones refuse it with EINVAL
// and we arm without it.
constexpr unsigned kRecvLimit = 64 * 1024;
constexpr uint8_t kCalmArms = 8;
constexpr size_t kMaxIov = 256;                // iovecs per sendmsg
constexpr size_t kHighWater = 256 * 1024;      // write() returns false above this
constexpr size_t kLowWater = 64 * 1024;        // drain is reported below this
constexpr int kEventInts = 4;                  // ints per event record

// ---- operations (low 8 bits of user_data) and events (to JS) --------------------------
enum Op : uint8_t { OP_RECV = 1, OP_SEND, OP_CONNECT, OP_ACCEPT, OP_CANCEL, OP_SHUTDOWN };

enum Ev : int32_t {
  EV_DATA = 1,           // id, region offset, length
  EV_CLOSE = 2,          // id, errno (0 = clean)
  EV_DRAIN = 3,          // id
  EV_CONNECT = 4,        // id, errno (0 = connected)
  EV_ACCEPT = 5,         // listener id, new stream id
  EV_ACCEPT_ERROR = 6,   // listener id, errno (accept not re-armed: JS retries later)
  EV_LISTENER_CLOSED = 7 // listener id
};

inline uint64_t MakeUd(uint32_t id, Op op) { return (uint64_t(id) << 8) | op; }

struct Piece {
  const char* data;  // next byte to send
  size_t len;        // bytes left
  napi_ref ref;      // keeps a JS buffer alive (or null)
  char* owned;       // native block (or null)
  size_t cap;        // capacity of `owned`
};

enum State { S_CONNECTING, S_OPEN, S_LISTENING };

struct Sock {
  uint32_t id = 0;
  int fd = -1;
  State state = S_OPEN;
  bool tcp = true;
  int inflight = 0;          // SQEs (or multishot chains) not yet finally completed
  bool destroying = false;   // close in progress: no new operations
  int closeErr = 0;
  bool busy = false;         // counted in Ring::busy (see WantsLoop)

  // receive
  bool started = false, paused = false, recvArmed = false, recvCancel = false;
  bool eof = false;
  bool rearmQueued = false;  // in Ring::starved or Ring::limited (armed after the wake-up)
  // Byte-limited arms (kRecvLimit): set when the stream pauses part-way through more than
  // kRecvLimit handed in one JS call, receives bytes while paused, or finds the buffer ring
  // empty; dropped after kCalmArms limited arms in a row end without a pause in between.
  bool limitArms = false, armLimited = false;
  uint8_t calm = 0;
  uint32_t dryRun = 0;       // recvs in a row that ended on an empty buffer ring
  uint64_t callSeq = 0;      // Ring::calls when callBytes was counted
  size_t callBytes = 0;      // bytes handed to JS in that call

  // send
  std::deque<Piece> q;
  size_t queued = 0;         // bytes in q (including the part in flight)
  bool sending = false;
  size_t sendPieces = 0;     // pieces at the front of q covered by the sendmsg in flight
  bool dirty = false;        // in Ring::dirty (flush at prepare)
  bool needDrain = false;
  bool ending = false, shutdownSent = false, shutdownDone = false;
  struct iovec iov[kMaxIov];
  struct msghdr msg;

  // connect
  struct sockaddr_storage addr;
  socklen_t addrLen = 0;

  // listener
  bool acceptArmed = false;
  std::string unlinkPath;
  dev_t dev = 0;
  ino_t ino = 0;
};

struct Ring {
  napi_env env = nullptr;
  napi_async_cleanup_hook_handle cleanup = nullptr;
  bool ready = false;
  bool dead = false;
  bool deferMode = false;
  uint64_t dryRecvs = 0;     // recvs that ended on an empty buffer ring (stats)
  uint64_t wakeups = 0;      // poll callbacks: how often libuv woke the ring up (stats)
  uint32_t longestDryRun = 0;  // most such recvs in a row for one stream since stats()
  bool recvLimit = true;     // arm recvs with kRecvLimit (cleared on the first EINVAL)
  struct io_uring ring;
  int efd = -1;
  uv_loop_t* loop = nullptr;
  uv_poll_t poll;
  uv_prepare_t prepare;
  int handlesOpen = 0;
  bool pollRef = false;
  int busy = 0;              // sockets that keep the event loop alive (WantsLoop)

  // provided buffers: kBufCount x kBufSize inside the JS-owned region
  struct io_uring_buf_ring* br = nullptr;
  size_t brBytes = 0;
  char* bufs = nullptr;
  std::vector<uint16_t> handed;  // buffers named by events JS has not seen yet

  // JS side
  napi_ref callback = nullptr;
  napi_ref eventsRef = nullptr;
  napi_ref regionRef = nullptr;
  napi_async_context asyncCtx = nullptr;
  int32_t* events = nullptr;
  size_t maxEvents = 0;
  size_t nEvents = 0;
  bool inCallback = false;

  uint32_t nextId = 1;
  std::unordered_map<uint32_t, Sock*> socks;
  std::vector<uint32_t> dirty;
  // Recvs to re-arm once JS has had the bytes and the buffers are back, in this order:
  // streams the buffer ring ran dry on (-ENOBUFS), then streams that reached kRecvLimit.
  // Re-arms reach the kernel in submission order and take buffers in that order, so a
  // stream that found none is served first next time instead of starving behind the rest.
  std::vector<uint32_t> starved, limited;
  uint64_t calls = 0;        // JS calls made (FlushEvents)
  bool pendingSubmit = false;
};

struct AddonData {
  Ring* ring = nullptr;
};

// ---- small helpers ---------------------------------------------------------------------

const char* ErrName(int err) {
  const char* n = strerrorname_np(err);
  return n ? n : "EIO";
}

napi_value ThrowErrno(napi_env env, int err, const char* syscall) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s %s: %s", syscall, ErrName(err), strerror(err));
  napi_value code, message, error, errnoVal, sys;
  napi_create_string_utf8(env, ErrName(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, -err, &errnoVal);
  napi_set_named_property(env, error, "errno", errnoVal);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "syscall", sys);
  napi_throw(env, error);
  return nullptr;
}

napi_value ThrowMsg(napi_env env, const char* code, const char* msg) {
  napi_throw_error(env, code, msg);
  return nullptr;
}

Ring* GetRing(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok || !data) return nullptr;
  return static_cast<AddonData*>(data)->ring;
}

Ring* GetReadyRing(napi_env env) {
  Ring* r = GetRing(env);
  if (!r || !r->ready || r->dead) {
    ThrowMsg(env, "ERR_URING_NOT_INITIALIZED", "io_uring transport is not initialized");
    return nullptr;
  }
  return r;
}

Sock* Find(Ring* r, uint32_t id) {
  auto it = r->socks.find(id);
  return it == r->socks.end() ? nullptr : it->second;
}

// Like an unref'd node:net socket, whose pending write and connect requests keep libuv
// alive but whose idle handle does not: a socket holds the event loop only while bytes are
// queued, a connect is in progress or a graceful shutdown is under way. The engine keeps
// the process alive for pending calls itself.
bool WantsLoop(const Sock* s) {
  return !s->destroying && s->state != S_LISTENING &&
         (s->queued > 0 || s->state == S_CONNECTING || (s->ending && !s->shutdownDone));
}

void UpdateRef(Ring* r) {
  bool want = r->busy > 0;
  if (want == r->pollRef) return;
  r->pollRef = want;
  if (want) uv_ref(reinterpret_cast<uv_handle_t*>(&r->poll));
  else uv_unref(reinterpret_cast<uv_handle_t*>(&r->poll));
}

// Recount `s` after its send queue, connect or shutdown state changed.
void Touch(Ring* r, Sock* s) {
  bool b = WantsLoop(s);
  if (b == s->busy) return;
  s->busy = b;
  r->busy += b ? 1 : -1;
  UpdateRef(r);
}

io_uring_sqe* GetSqe(Ring* r) {
  io_uring_sqe* sqe = io_uring_get_sqe(&r->ring);
  if (!sqe) {
    // SQ full: push what we have to the kernel and try again.
    io_uring_submit(&r->ring);
    sqe = io_uring_get_sqe(&r->ring);
  }
  if (sqe) r->pendingSubmit = true;
  return sqe;
}

void ReleasePiece(napi_env env, Piece& p) {
  if (p.ref) {
    napi_delete_reference(env, p.ref);
    p.ref = nullptr;
  }
  if (p.owned) {
    free(p.owned);
    p.owned = nullptr;
  }
}

void Emit(Ring* r, int32_t type, uint32_t id, int32_t a, int32_t b);
void FlushEvents(Ring* r);

// ---- socket lifecycle ------------------------------------------------------------------

Sock* NewSock(Ring* r, int fd, State st, bool tcp) {
  Sock* s = new Sock();
  uint32_t id;
  do {
    id = r->nextId++;
    if (r->nextId == 0 || r->nextId > 0x7fffffffu) r->nextId = 1;
  } while (id == 0 || r->socks.count(id));
  s->id = id;
  s->fd = fd;
  s->state = st;
  s->tcp = tcp;
  r->socks.emplace(id, s);
  Touch(r, s);
  return s;
}

void FreeSock(Ring* r, Sock* s) {
  for (Piece& p : s->q) ReleasePiece(r->env, p);
  s->q.clear();
  r->socks.erase(s->id);
  if (s->busy) r->busy--;
  delete s;
  UpdateRef(r);
}

// Called after every final completion: once a closing socket has nothing in flight, the
// fd is closed (no kernel reference remains) and JS is told.
void MaybeFinalize(Ring* r, Sock* s) {
  if (!s->destroying || s->inflight > 0) return;
  if (s->fd >= 0) {
    close(s->fd);
    s->fd = -1;
  }
  if (s->state == S_LISTENING) {
    if (!s->unlinkPath.empty()) {
      struct stat st;
      // Only remove the socket file if it is still the one we created.
      if (stat(s->unlinkPath.c_str(), &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
        unlink(s->unlinkPath.c_str());
    }
    Emit(r, EV_LISTENER_CLOSED, s->id, 0, 0);
  } else if (s->state == S_OPEN) {
    Emit(r, EV_CLOSE, s->id, s->closeErr, 0);
  }
  // S_CONNECTING sockets report through EV_CONNECT before being destroyed.
  FreeSock(r, s);
}

void SubmitCancelAll(Ring* r, Sock* s) {
  io_uring_sqe* sqe = GetSqe(r);
  if (!sqe) return;  // cannot happen after a submit; fd close still waits for inflight
  io_uring_prep_cancel_fd(sqe, s->fd, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data64(sqe, MakeUd(s->id, OP_CANCEL));
  s->inflight++;
}

// Abortive close: drop unsent data, shutdown, cancel everything, close when idle.
void CloseSock(Ring* r, Sock* s, int err) {
  if (s->destroying) {
    if (!s->closeErr) s->closeErr = err;
    return;
  }
  s->destroying = true;
  s->closeErr = err;
  Touch(r, s);
  // Like node:net (whose write() goes straight to the kernel when it can), bytes written
  // just before a local destroy() should still leave: one non-blocking sendmsg of the
  // queue when no send is in flight (with one in flight the rest cannot keep its order).
  if (err == 0 && !s->sending && !s->q.empty() && s->state == S_OPEN && s->fd >= 0) {
    size_t n = 0;
    for (auto it = s->q.begin(); it != s->q.end() && n < kMaxIov; ++it, ++n) {
      s->iov[n].iov_base = const_cast<char*>(it->data);
      s->iov[n].iov_len = it->len;
    }
    memset(&s->msg, 0, sizeof s->msg);
    s->msg.msg_iov = s->iov;
    s->msg.msg_iovlen = n;
    ssize_t ignored = sendmsg(s->fd, &s->msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)ignored;
  }
  // Drop queued pieces that the kernel does not reference (those after the send in
  // flight); the in-flight ones are released when their completion arrives.
  size_t keep = s->sending ? s->sendPieces : 0;
  while (s->q.size() > keep) {
    ReleasePiece(r->env, s->q.back());
    s->q.pop_back();
  }
  if (s->state != S_LISTENING && s->fd >= 0) shutdown(s->fd, SHUT_RDWR);
  SubmitCancelAll(r, s);
  MaybeFinalize(r, s);
}

void ArmRecv(Ring* r, Sock* s) {
  if (s->recvArmed || s->destroying || s->eof || s->state != S_OPEN) return;
  io_uring_sqe* sqe = GetSqe(r);
  if (!sqe) return;
  io_uring_prep_recv_multishot(sqe, s->fd, nullptr, 0, 0);
  // sqe->optlen (same slot as file_index in liburing 2.3's header): total-bytes limit.
  s->armLimited = r->recvLimit && s->limitArms;
  if (s->armLimited) sqe->file_index = kRecvLimit;
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufGroup;
  io_uring_sqe_set_data64(sqe, MakeUd(s->id, OP_RECV));
  s->recvArmed = true;
  s->recvCancel = false;
  s->inflight++;
}

bool WantRecv(const Sock* s) {
  if (s->destroying || s->eof || s->state != S_OPEN) return false;
  if (s->ending) return true;  // keep reading until the peer's FIN after our end()
  return s->started && !s->paused;
}

void QueueRearm(Ring* r, Sock* s, bool starved) {
  if (s->rearmQueued) return;
  s->rearmQueued = true;
  (starved ? r->starved : r->limited).push_back(s->id);
}

// After a wake-up's last JS call (buffers recycled): re-arm the queued recvs, starved first.
void ArmQueued(Ring* r) {
  for (std::vector<uint32_t>* list : {&r->starved, &r->limited}) {
    if (list->empty()) continue;
    std::vector<uint32_t> ids;
    ids.swap(*list);
    for (uint32_t id : ids) {
      Sock* s = Find(r, id);
      if (!s) continue;
      s->rearmQueued = false;
      if (!s->recvArmed && WantRecv(s)) ArmRecv(r, s);
    }
  }
}

void ArmAccept(Ring* r, Sock* s) {
  if (s->acceptArmed || s->destroying) return;
  io_uring_sqe* sqe = GetSqe(r);
  if (!sqe) return;
  io_uring_prep_multishot_accept(sqe, s->fd, nullptr, nullptr, SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, MakeUd(s->id, OP_ACCEPT));
  s->acceptArmed = true;
  s->inflight++;
}

void DoShutdown(Ring* r, Sock* s) {
  if (s->shutdownSent || s->destroying) return;
  io_uring_sqe* sqe = GetSqe(r);
  if (!sqe) return;
  io_uring_prep_shutdown(sqe, s->fd, SHUT_WR);
  io_uring_sqe_set_data64(sqe, MakeUd(s->id, OP_SHUTDOWN));
  s->shutdownSent = true;
  s->inflight++;
}

void MarkDirty(Ring* r, Sock* s) {
  if (s->dirty) return;
  s->dirty = true;
  r->dirty.push_back(s->id);
}

// Start one sendmsg carrying as much of the queue as fits in one iovec array.
void FlushSend(Ring* r, Sock* s) {
  if (s->sending || s->q.empty() || s->destroying || s->state != S_OPEN) return;
  size_t n = 0;
  for (auto it = s->q.begin(); it != s->q.end() && n < kMaxIov; ++it, ++n) {
    s->iov[n].iov_base = const_cast<char*>(it->data);
    s->iov[n].iov_len = it->len;
  }
  io_uring_sqe* sqe = GetSqe(r);
  if (!sqe) return;
  memset(&s->msg, 0, sizeof s->msg);
  s->msg.msg_iov = s->iov;
  s->msg.msg_iovlen = n;
  io_uring_prep_sendmsg(sqe, s->fd, &s->msg, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, MakeUd(s->id, OP_SEND));
  s->sending = true;
  s->sendPieces = n;
  s->inflight++;
}

// ---- completion handling ---------------------------------------------------------------

void Emit(Ring* r, int32_t type, uint32_t id, int32_t a, int32_t b) {
  if (r->nEvents >= r->maxEvents) FlushEvents(r);
  // Events are only produced while draining completions, never from inside the JS
  // callback, so the flush above always makes room.
  if (r->nEvents >= r->maxEvents) napi_fatal_error("monocoque:uring", NAPI_AUTO_LENGTH, "event overflow", NAPI_AUTO_LENGTH);
  int32_t* e = r->events + r->nEvents * kEventInts;
  e[0] = type;
  e[1] = int32_t(id);
  e[2] = a;
  e[3] = b;
  r->nEvents++;
}

void RecycleBuffer(Ring* r, unsigned bid) {
  io_uring_buf_ring_add(r->br, r->bufs + size_t(bid) * kBufSize, kBufSize, uint16_t(bid),
                        io_uring_buf_ring_mask(kBufCount), 0);
  io_uring_buf_ring_advance(r->br, 1);
}

// Give the buffers JS has now seen back to the kernel, in one advance.
void RecycleHanded(Ring* r) {
  size_t n = r->handed.size();
  if (n == 0) return;
  const int mask = io_uring_buf_ring_mask(kBufCount);
  for (size_t i = 0; i < n; i++) {
    unsigned bid = r->handed[i];
    io_uring_buf_ring_add(r->br, r->bufs + size_t(bid) * kBufSize, kBufSize, uint16_t(bid), mask, int(i));
  }
  io_uring_buf_ring_advance(r->br, int(n));
  r->handed.clear();
}

// One JS call carrying every event recorded so far; then the buffers they named are free.
void FlushEvents(Ring* r) {
  if (r->inCallback) return;  // never re-enter JS; events stay queued
  if (r->nEvents == 0 || r->dead || !r->callback) {
    r->nEvents = 0;
    if (!r->dead) RecycleHanded(r);
    return;
  }
  napi_env env = r->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, argv[1], result;
  napi_get_reference_value(env, r->callback, &cb);
  napi_get_global(env, &recv);  // napi_make_callback needs an object receiver
  napi_create_uint32(env, uint32_t(r->nEvents), &argv[0]);
  r->inCallback = true;
  napi_status st = napi_make_callback(env, r->asyncCtx, recv, cb, 1, argv, &result);
  r->inCallback = false;
  r->calls++;
  r->nEvents = 0;
  if (!r->dead) RecycleHanded(r);
  if (st == napi_pending_exception) {
    napi_value exc;
    if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
  }
  napi_close_handle_scope(env, scope);
}

void OnRecv(Ring* r, Sock* s, int res, unsigned flags) {
  bool more = flags & IORING_CQE_F_MORE;
  if (flags & IORING_CQE_F_BUFFER) {
    unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
    if (bid < kBufCount) {
      if (res > 0 && s && !s->destroying) {
        // JS reads the bytes in place; the buffer is recycled after it has.
        int32_t off = int32_t(size_t(bid) * kBufSize);
        int32_t* last = r->nEvents > 0 ? r->events + (r->nEvents - 1) * kEventInts : nullptr;
        if (last && last[0] == EV_DATA && last[1] == int32_t(s->id) && last[2] + last[3] == off) {
          last[3] += res;  // the previous buffer was full and this one follows it
        } else {
          Emit(r, EV_DATA, s->id, off, res);
        }
        if (s->callSeq != r->calls) {
          s->callSeq = r->calls;
          s->callBytes = 0;
        }
        s->callBytes += size_t(res);
        s->dryRun = 0;
        if (s->paused) {
          // Bytes for a stream that already paused: JS copies them aside. Read it at most
          // kRecvLimit per arm from now on (a later call of this wake-up, typically).
          s->limitArms = true;
          s->calm = 0;
        }
        r->handed.push_back(uint16_t(bid));
        if (r->handed.size() >= kCallBuffers) FlushEvents(r);
      } else {
        RecycleBuffer(r, bid);
      }
    }
  }
  if (!s) return;
  if (!more) {
    s->recvArmed = false;
    s->inflight--;
  }
  if (res == 0) {
    // Orderly shutdown by the peer. Like node:net with allowHalfOpen=false: flush what
    // we have queued, send our FIN, then close cleanly.
    s->eof = true;
    if (s->destroying) {
    } else if (s->shutdownDone) {
      CloseSock(r, s, 0);
      return;
    } else {
      s->ending = true;
      if (!s->sending && s->q.empty()) DoShutdown(r, s);
    }
  } else if (res < 0) {
    int err = -res;
    if (err == EINVAL && s->armLimited) {
      // A kernel without the recv byte limit: arm without it from now on (below).
      r->recvLimit = false;
    } else if (err == ENOBUFS) {
      // The buffer ring ran dry: re-armed below once buffers are back, first in line, and
      // byte-limited from now on so that one stream's arm cannot take them all again.
      s->limitArms = true;
      s->calm = 0;
      r->dryRecvs++;
      if (++s->dryRun > r->longestDryRun) r->longestDryRun = s->dryRun;
    } else if (err == ECANCELED || err == EINTR || err == EAGAIN) {
      // Pause/resume race or a transient error: simply re-arm below if still wanted.
    } else if (!s->destroying) {
      CloseSock(r, s, err);
      return;
    }
  }
  bool byLimit = !more && res > 0 && s->armLimited;
  if (byLimit && !s->paused && ++s->calm >= kCalmArms) s->limitArms = false;
  if (!s->recvArmed && WantRecv(s)) {
    if (res == -ENOBUFS || byLimit) QueueRearm(r, s, res == -ENOBUFS);
    else ArmRecv(r, s);
  }
  MaybeFinalize(r, s);
}

void OnSend(Ring* r, Sock* s, int res) {
  s->inflight--;
  s->sending = false;
  size_t pieces = s->sendPieces;
  s->sendPieces = 0;
  if (s->destroying) {
    // Release what the kernel referenced; CloseSock already dropped the rest.
    for (size_t i = 0; i < pieces && !s->q.empty(); i++) {
      ReleasePiece(r->env, s->q.front());
      s->q.pop_front();
    }
    MaybeFinalize(r, s);
    return;
  }
  if (res < 0) {
    int err = -res;
    if (err == EAGAIN || err == EINTR || err == ENOBUFS) {
      FlushSend(r, s);
      return;
    }
    CloseSock(r, s, err);  // EPIPE, ECONNRESET, ...
    return;
  }
  // Consume `res` bytes (a partial send leaves the tail of a piece at the front).
  size_t left = size_t(res);
  s->queued -= left;
  while (left > 0 && !s->q.empty()) {
    Piece& p = s->q.front();
    if (left >= p.len) {
      left -= p.len;
      ReleasePiece(r->env, p);
      s->q.pop_front();
    } else {
      p.data += left;
      p.len -= left;
      left = 0;
    }
  }
  if (!s->q.empty()) {
    FlushSend(r, s);
  } else if (s->ending) {
    DoShutdown(r, s);
  }
  Touch(r, s);
  if (s->needDrain && s->queued <= kLowWater) {
    s->needDrain = false;
    Emit(r, EV_DRAIN, s->id, 0, 0);
  }
}

void OnConnect(Ring* r, Sock* s, int res) {
  s->inflight--;
  if (s->destroying) {
    MaybeFinalize(r, s);
    return;
  }
  if (res < 0) {
    Emit(r, EV_CONNECT, s->id, -res, 0);
    close(s->fd);
    s->fd = -1;
    FreeSock(r, s);
    return;
  }
  s->state = S_OPEN;
  Touch(r, s);
  Emit(r, EV_CONNECT, s->id, 0, 0);
}

void OnAccept(Ring* r, Sock* l, int res, unsigned flags) {
  bool more = flags & IORING_CQE_F_MORE;
  if (!more) {
    l->acceptArmed = false;
    l->inflight--;
  }
  if (res >= 0) {
    if (l->destroying) {
      close(res);
    } else {
      if (l->tcp) {
        int one = 1;
        setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      }
      Sock* s = NewSock(r, res, S_OPEN, l->tcp);
      Emit(r, EV_ACCEPT, l->id, int32_t(s->id), 0);
    }
    if (!l->acceptArmed && !l->destroying) ArmAccept(r, l);
  } else {
    int err = -res;
    if (l->destroying || err == ECANCELED) {
      // closing
    } else if (err == ECONNABORTED || err == EINTR || err == EAGAIN || err == EPROTO) {
      if (!l->acceptArmed) ArmAccept(r, l);
    } else if (!l->acceptArmed) {
      // EMFILE, ENFILE, ENOBUFS, ENOMEM...: let JS retry after a delay instead of
      // spinning on a resource shortage.
      Emit(r, EV_ACCEPT_ERROR, l->id, err, 0);
    }
  }
  MaybeFinalize(r, l);
}

void OnShutdown(Ring* r, Sock* s, int res) {
  s->inflight--;
  s->shutdownDone = true;
  Touch(r, s);
  if (s->destroying) {
    MaybeFinalize(r, s);
    return;
  }
  if (res < 0 && res != -ENOTCONN) {
    CloseSock(r, s, -res);
    return;
  }
  if (s->eof || res == -ENOTCONN) {
    CloseSock(r, s, 0);
    return;
  }
  // Half-closed: wait for the peer's FIN (or an error) on the receive side.
  if (!s->recvArmed) ArmRecv(r, s);
}

void HandleCqe(Ring* r, io_uring_cqe* cqe) {
  uint64_t ud = io_uring_cqe_get_data64(cqe);
  Op op = Op(ud & 0xff);
  uint32_t id = uint32_t(ud >> 8);
  Sock* s = Find(r, id);
  int res = cqe->res;
  unsigned flags = cqe->flags;
  switch (op) {
    case OP_RECV:
      OnRecv(r, s, res, flags);  // must run even without a socket (buffer recycling)
      break;
    case OP_SEND:
      if (s) OnSend(r, s, res);
      break;
    case OP_CONNECT:
      if (s) OnConnect(r, s, res);
      break;
    case OP_ACCEPT:
      if (s) OnAccept(r, s, res, flags);
      else if (res >= 0) close(res);
      break;
    case OP_CANCEL:
    case OP_SHUTDOWN:
      if (s) {
        if (op == OP_SHUTDOWN) {
          OnShutdown(r, s, res);
        } else {
          s->inflight--;
          if (s->recvCancel && !s->destroying) s->recvCancel = false;
          MaybeFinalize(r, s);
        }
      }
      break;
    default:
      break;
  }
}

// Drain the CQ. Events go to JS in calls of at most kCallBuffers received buffers (fewer
// when the event array fills up), then the queued recvs are re-armed.
void Drain(Ring* r) {
  if (r->dead) return;
  if (r->deferMode || (IO_URING_READ_ONCE(*r->ring.sq.kflags) &
                       (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW))) {
    io_uring_get_events(&r->ring);
  }
  for (;;) {
    unsigned head, seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&r->ring, head, cqe) {
      // Copy out, advance, then handle: handling may call into JS (FlushEvents).
      io_uring_cqe copy = *cqe;
      io_uring_cq_advance(&r->ring, 1);
      HandleCqe(r, &copy);
      seen++;
      if (r->dead) return;
      break;  // restart the iteration: head moved
    }
    if (seen == 0) break;
  }
  FlushEvents(r);
  // Re-arm only now, once per wake-up, so that every stream the ring ran dry on this
  // time is queued ahead of every other arm (arming after each mid-drain call put those
  // found later behind the byte-limited ones found earlier, turn after turn).
  if (!r->dead) ArmQueued(r);
}

// ---- libuv callbacks -------------------------------------------------------------------

void FlushAndSubmit(Ring* r);

void OnPoll(uv_poll_t* handle, int status, int events) {
  Ring* r = static_cast<Ring*>(handle->data);
  if (r->dead) return;
  r->wakeups++;
  if (r->deferMode) {
    uint64_t v;
    while (read(r->efd, &v, sizeof v) < 0 && errno == EINTR) {
    }
  }
  Drain(r);
  // What JS wrote while handling these completions (a reply, typically) goes out now, not
  // after the rest of the loop turn (check, close and timer phases) at prepare. Only then:
  // submitting every wake-up's re-armed sends at once would make a streaming sender's
  // sendmsg calls smaller and more frequent.
  if (!r->dead && !r->dirty.empty()) {
    FlushAndSubmit(r);
    // Sends that completed during that submit posted their completions and signalled the
    // eventfd: reap them now instead of on another trip through epoll and the poll phase
    // (the eventfd is read first, so a signal for anything that arrives later stays).
    // Nothing posted (the sends went async): nothing to reap, the next wake-up brings it.
    if (!r->dead && r->deferMode && io_uring_cq_ready(&r->ring) > 0) {
      uint64_t v;
      while (read(r->efd, &v, sizeof v) < 0 && errno == EINTR) {
      }
      Drain(r);
    }
  }
}

// Right before libuv blocks: flush send queues and submit everything with one enter.
void OnPrepare(uv_prepare_t* handle) {
  Ring* r = static_cast<Ring*>(handle->data);
  if (r->dead) return;
  FlushAndSubmit(r);
}

// Flush the send queues written since the last call and submit every queued SQE (one
// io_uring_enter, none when there is nothing to submit).
void FlushAndSubmit(Ring* r) {
  if (!r->dirty.empty()) {
    std::vector<uint32_t> dirty;
    dirty.swap(r->dirty);
    for (uint32_t id : dirty) {
      Sock* s = Find(r, id);
      if (!s) continue;
      s->dirty = false;
      FlushSend(r, s);
    }
  }
  // coop mode: task work queued while JS ran must not wait for a wake-up that the
  // kernel may skip (TWA_SIGNAL_NO_IPI); run it now so the ring fd turns readable.
  bool taskrun = !r->deferMode && (IO_URING_READ_ONCE(*r->ring.sq.kflags) & IORING_SQ_TASKRUN);
  if (r->pendingSubmit || taskrun || io_uring_sq_ready(&r->ring) > 0) {
    r->pendingSubmit = false;
    int ret = taskrun ? io_uring_submit_and_get_events(&r->ring) : io_uring_submit(&r->ring);
    if (ret == -EBUSY || ret == -EAGAIN) {
      // CQ overflow backlog: drain and retry once.
      Drain(r);
      io_uring_submit(&r->ring);
    }
    // Completions posted by this submit make the polled fd readable: libuv picks them
    // up in the poll phase that follows, so JS never runs from here.
  }
}

// ---- ring setup / teardown -------------------------------------------------------------

int SetupBufRing(Ring* r) {
  r->brBytes = kBufCount * sizeof(struct io_uring_buf);
  void* mem = mmap(nullptr, r->brBytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (mem == MAP_FAILED) return -errno;
  r->br = static_cast<struct io_uring_buf_ring*>(mem);
  io_uring_buf_ring_init(r->br);
  struct io_uring_buf_reg reg;
  memset(&reg, 0, sizeof reg);
  reg.ring_addr = reinterpret_cast<uint64_t>(mem);
  reg.ring_entries = kBufCount;
  reg.bgid = kBufGroup;
  int ret = io_uring_register_buf_ring(&r->ring, &reg, 0);
  if (ret < 0) return ret;
  // r->bufs is the JS-owned region (Init).
  for (unsigned i = 0; i < kBufCount; i++)
    io_uring_buf_ring_add(r->br, r->bufs + size_t(i) * kBufSize, kBufSize, uint16_t(i),
                          io_uring_buf_ring_mask(kBufCount), int(i));
  io_uring_buf_ring_advance(r->br, int(kBufCount));
  return 0;
}

int SetupRing(Ring* r, bool defer) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_SUBMIT_ALL;
  p.flags |= defer ? IORING_SETUP_DEFER_TASKRUN
                   : (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG);
  p.cq_entries = kCqEntries;
  int ret = io_uring_queue_init_params(kSqEntries, &r->ring, &p);
  if (ret < 0) return ret;
  if (!(p.features & IORING_FEAT_NODROP) || !(p.features & IORING_FEAT_FAST_POLL)) {
    io_uring_queue_exit(&r->ring);
    return -ENOTSUP;
  }
  r->deferMode = defer;
  ret = SetupBufRing(r);
  if (ret < 0) {
    io_uring_queue_exit(&r->ring);
    if (r->br) munmap(r->br, r->brBytes);
    r->br = nullptr;
    return ret;
  }
  return 0;
}

void OnHandleClosed(uv_handle_t* h) {
  Ring* r = static_cast<Ring*>(h->data);
  if (--r->handlesOpen > 0) return;
  napi_async_cleanup_hook_handle hook = r->cleanup;
  delete r;
  if (hook) napi_remove_async_cleanup_hook(hook);
}

// Env teardown (process exit or worker termination): no JS may run any more.
void TeardownRing(Ring* r) {
  r->dead = true;
  // 1. Abort every socket so nothing in flight can make progress.
  for (auto& kv : r->socks) {
    Sock* s = kv.second;
    if (s->fd >= 0) {
      if (s->state != S_LISTENING) shutdown(s->fd, SHUT_RDWR);
      close(s->fd);
      s->fd = -1;
    }
    if (s->state == S_LISTENING && !s->unlinkPath.empty()) {
      struct stat st;
      if (stat(s->unlinkPath.c_str(), &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
        unlink(s->unlinkPath.c_str());
    }
  }
  // 2. Stop the kernel from picking provided buffers, then kill the ring (cancels and
  //    reaps everything still in flight).
  if (r->br) io_uring_unregister_buf_ring(&r->ring, kBufGroup);
  io_uring_queue_exit(&r->ring);
  // 3. Only now release memory the kernel may have referenced.
  for (auto& kv : r->socks) {
    Sock* s = kv.second;
    for (Piece& p : s->q) ReleasePiece(r->env, p);
    s->q.clear();
    delete s;
  }
  r->socks.clear();
  if (r->br) munmap(r->br, r->brBytes);
  r->br = nullptr;
  r->bufs = nullptr;  // the region is JS memory, released with its reference below
  if (r->efd >= 0) close(r->efd);
  r->efd = -1;
  if (r->callback) napi_delete_reference(r->env, r->callback);
  if (r->eventsRef) napi_delete_reference(r->env, r->eventsRef);
  if (r->regionRef) napi_delete_reference(r->env, r->regionRef);
  r->callback = r->eventsRef = r->regionRef = nullptr;
  if (r->asyncCtx) napi_async_destroy(r->env, r->asyncCtx);
  r->asyncCtx = nullptr;
}

void AsyncCleanup(napi_async_cleanup_hook_handle handle, void* arg) {
  Ring* r = static_cast<Ring*>(arg);
  r->cleanup = handle;
  TeardownRing(r);
  uv_poll_stop(&r->poll);
  uv_prepare_stop(&r->prepare);
  r->handlesOpen = 2;
  uv_close(reinterpret_cast<uv_handle_t*>(&r->poll), OnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&r->prepare), OnHandleClosed);
}

void FinalizeAddonData(napi_env env, void* data, void* hint) {
  delete static_cast<AddonData*>(data);
}

// ---- address helpers -------------------------------------------------------------------

// family: 4, 6 or 0 (unix). Fills `ss` and `len`, returns 0 or an errno.
int BuildAddr(napi_env env, int family, napi_value addrVal, uint32_t port,
              struct sockaddr_storage* ss, socklen_t* len) {
  char buf[256];
  size_t n = 0;
  memset(ss, 0, sizeof *ss);
  if (family == 0) {
    // Unix path; may start with NUL (abstract), so take the bytes from a Buffer.
    void* data;
    size_t blen;
    if (napi_get_buffer_info(env, addrVal, &data, &blen) != napi_ok) return EINVAL;
    auto* un = reinterpret_cast<struct sockaddr_un*>(ss);
    if (blen == 0 || blen >= sizeof un->sun_path) return ENAMETOOLONG;
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, data, blen);
    *len = socklen_t(offsetof(struct sockaddr_un, sun_path) + blen +
                     (static_cast<char*>(data)[0] == '\0' ? 0 : 1));
    return 0;
  }
  if (napi_get_value_string_utf8(env, addrVal, buf, sizeof buf, &n) != napi_ok) return EINVAL;
  if (family == 4) {
    auto* in = reinterpret_cast<struct sockaddr_in*>(ss);
    in->sin_family = AF_INET;
    in->sin_port = htons(uint16_t(port));
    if (inet_pton(AF_INET, buf, &in->sin_addr) != 1) return EINVAL;
    *len = sizeof *in;
    return 0;
  }
  if (family == 6) {
    auto* in6 = reinterpret_cast<struct sockaddr_in6*>(ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(uint16_t(port));
    char* pct = strchr(buf, '%');
    if (pct) {
      *pct = '\0';
      unsigned idx = unsigned(strtoul(pct + 1, nullptr, 10));
      in6->sin6_scope_id = idx;
    }
    if (inet_pton(AF_INET6, buf, &in6->sin6_addr) != 1) return EINVAL;
    *len = sizeof *in6;
    return 0;
  }
  return EAFNOSUPPORT;
}

napi_value FormatAddr(napi_env env, const struct sockaddr_storage* ss) {
  char host[INET6_ADDRSTRLEN + 2];
  char out[96];
  napi_value v;
  if (ss->ss_family == AF_INET) {
    auto* in = reinterpret_cast<const struct sockaddr_in*>(ss);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    snprintf(out, sizeof out, "tcp://%s:%u", host, unsigned(ntohs(in->sin_port)));
  } else if (ss->ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const struct sockaddr_in6*>(ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    snprintf(out, sizeof out, "tcp://[%s]:%u", host, unsigned(ntohs(in6->sin6_port)));
  } else {
    napi_get_null(env, &v);
    return v;
  }
  napi_create_string_utf8(env, out, NAPI_AUTO_LENGTH, &v);
  return v;
}

// ---- exported functions ----------------------------------------------------------------

#define ARGS(n)                                                              \
  size_t argc = n;                                                           \
  napi_value argv[n];                                                        \
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) \
    return nullptr;

uint32_t U32(napi_env env, napi_value v) {
  uint32_t out = 0;
  napi_get_value_uint32(env, v, &out);
  return out;
}

bool KernelOk(char* why, size_t len) {
  struct utsname u;
  if (uname(&u) != 0) return true;
  int major = 0, minor = 0;
  if (sscanf(u.release, "%d.%d", &major, &minor) != 2) return true;
  if (major > 6 || (major == 6 && minor >= 0)) return true;
  snprintf(why, len, "kernel %s is too old (multishot recv needs Linux >= 6.0)", u.release);
  return false;
}

// probe(): null when io_uring with every feature we need works here, else a reason.
napi_value Probe(napi_env env, napi_callback_info info) {
  char why[256];
  napi_value out;
  if (!KernelOk(why, sizeof why)) {
    napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &out);
    return out;
  }
  Ring* tmp = new Ring();
  int ret = SetupRing(tmp, false);
  if (ret < 0) {
    snprintf(why, sizeof why, "io_uring setup failed: %s (%s)", ErrName(-ret), strerror(-ret));
    delete tmp;
    napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &out);
    return out;
  }
  io_uring_queue_exit(&tmp->ring);
  munmap(tmp->br, tmp->brBytes);
  free(tmp->bufs);
  delete tmp;
  napi_get_null(env, &out);
  return out;
}

// init(callback, events: ArrayBuffer, region: ArrayBuffer, mode: 0 coop | 1 defer)
// region: RECV_BUFFER_COUNT x RECV_BUFFER_SIZE bytes; the provided buffers live there.
napi_value Init(napi_env env, napi_callback_info info) {
  ARGS(4);
  Ring* existing = GetRing(env);
  if (existing) return ThrowMsg(env, "ERR_URING_INITIALIZED", "io_uring already initialized in this environment");
  void* evData;
  size_t evLen;
  void* regionData;
  size_t regionLen;
  if (napi_get_arraybuffer_info(env, argv[1], &evData, &evLen) != napi_ok ||
      napi_get_arraybuffer_info(env, argv[2], &regionData, &regionLen) != napi_ok)
    return ThrowMsg(env, "ERR_INVALID_ARG_TYPE", "events and region must be ArrayBuffers");
  if (regionLen < size_t(kBufCount) * kBufSize || evLen < 64 * kEventInts * sizeof(int32_t))
    return ThrowMsg(env, "ERR_INVALID_ARG_VALUE", "events/region buffers too small");
  uint32_t mode = U32(env, argv[3]);

  Ring* r = new Ring();
  r->env = env;
  r->bufs = static_cast<char*>(regionData);
  r->handed.reserve(kBufCount);
  int ret = SetupRing(r, mode == 1);
  if (ret < 0) {
    delete r;
    return ThrowErrno(env, -ret, "io_uring_setup");
  }
  int pollFd = r->ring.ring_fd;
  if (r->deferMode) {
    r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (r->efd < 0 || io_uring_register_eventfd(&r->ring, r->efd) < 0) {
      int err = errno ? errno : EINVAL;
      TeardownRing(r);
      delete r;
      return ThrowErrno(env, err, "io_uring_register_eventfd");
    }
    pollFd = r->efd;
  }
  napi_get_uv_event_loop(env, &r->loop);
  uv_poll_init(r->loop, &r->poll, pollFd);
  uv_prepare_init(r->loop, &r->prepare);
  r->poll.data = r;
  r->prepare.data = r;
  uv_poll_start(&r->poll, UV_READABLE, OnPoll);
  uv_prepare_start(&r->prepare, OnPrepare);
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->poll));
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->prepare));

  napi_create_reference(env, argv[0], 1, &r->callback);
  napi_create_reference(env, argv[1], 1, &r->eventsRef);
  napi_create_reference(env, argv[2], 1, &r->regionRef);
  napi_value name;
  napi_create_string_utf8(env, "monocoque:uring", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, nullptr, name, &r->asyncCtx);
  r->events = static_cast<int32_t*>(evData);
  r->maxEvents = evLen / (kEventInts * sizeof(int32_t));
  r->ready = true;

  AddonData* ad = nullptr;
  void* raw = nullptr;
  napi_get_instance_data(env, &raw);
  ad = static_cast<AddonData*>(raw);
  ad->ring = r;
  napi_add_async_cleanup_hook(env, AsyncCleanup, r, nullptr);

  napi_value out;
  napi_create_string_utf8(env, r->deferMode ? "defer" : "coop", NAPI_AUTO_LENGTH, &out);
  return out;
}

// Resolve the (family 0|4|6, address, port) arguments into *ss/*len and open a stream
// socket of that family (*af). Returns the fd, or -1 with a JS error thrown (`op` names
// the operation in it).
int OpenStreamSocket(napi_env env, napi_value* argv, const char* op, struct sockaddr_storage* ss, socklen_t* len, int* af) {
  int family = int(U32(env, argv[0]));
  int err = BuildAddr(env, family, argv[1], U32(env, argv[2]), ss, len);
  if (err) {
    ThrowErrno(env, err, op);
    return -1;
  }
  *af = family == 0 ? AF_UNIX : family == 4 ? AF_INET : AF_INET6;
  int fd = socket(*af, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ThrowErrno(env, errno, "socket");
    return -1;
  }
  return fd;
}

// listen(family 0|4|6, address: string|Buffer, port) -> [id, port]
napi_value Listen(napi_env env, napi_callback_info info) {
  ARGS(3);
  Ring* r = GetReadyRing(env);
  if (!r) return nullptr;
  struct sockaddr_storage ss;
  socklen_t len = 0;
  int af = 0;
  int fd = OpenStreamSocket(env, argv, "bind", &ss, &len, &af);
  if (fd < 0) return nullptr;
  int err = 0;
  if (af != AF_UNIX) {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  auto* un = reinterpret_cast<struct sockaddr_un*>(&ss);
  bool fsPath = af == AF_UNIX && un->sun_path[0] != '\0';
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&ss), len) < 0) {
    err = errno;
    if (err == EADDRINUSE && fsPath) {
      // A socket file left behind by a dead process? Probe it: if nobody accepts,
      // remove it and bind again (libzmq removes stale ipc files too).
      int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      bool stale = false;
      if (probe >= 0) {
        stale = connect(probe, reinterpret_cast<struct sockaddr*>(&ss), len) < 0 &&
                errno == ECONNREFUSED;
        close(probe);
      }
      if (stale && unlink(un->sun_path) == 0 &&
          bind(fd, reinterpret_cast<struct sockaddr*>(&ss), len) == 0) {
        err = 0;
      }
    }
    if (err) {
      close(fd);
      return ThrowErrno(env, err, "bind");
    }
  }
  if (listen(fd, SOMAXCONN) < 0) {
    err = errno;
    close(fd);
    if (fsPath) unlink(un->sun_path);
    return ThrowErrno(env, err, "listen");
  }
  uint32_t boundPort = 0;
  struct sockaddr_storage bound;
  socklen_t blen = sizeof bound;
  if (af != AF_UNIX && getsockname(fd, reinterpret_cast<struct sockaddr*>(&bound), &blen) == 0) {
    boundPort = af == AF_INET ? ntohs(reinterpret_cast<struct sockaddr_in*>(&bound)->sin_port)
                              : ntohs(reinterpret_cast<struct sockaddr_in6*>(&bound)->sin6_port);
  }
  Sock* s = NewSock(r, fd, S_LISTENING, af != AF_UNIX);
  if (fsPath) {
    struct stat st;
    if (stat(un->sun_path, &st) == 0) {
      s->unlinkPath = un->sun_path;
      s->dev = st.st_dev;
      s->ino = st.st_ino;
    }
  }
  ArmAccept(r, s);
  napi_value out, idv, portv;
  napi_create_array_with_length(env, 2, &out);
  napi_create_uint32(env, s->id, &idv);
  napi_create_uint32(env, boundPort, &portv);
  napi_set_element(env, out, 0, idv);
  napi_set_element(env, out, 1, portv);
  return out;
}

// rearmAccept(listenerId): after EV_ACCEPT_ERROR
napi_value RearmAccept(napi_env env, napi_callback_info info) {
  ARGS(1);
  Ring* r = GetReadyRing(env);
  if (!r) return nullptr;
  Sock* s = Find(r, U32(env, argv[0]));
  if (s && s->state == S_LISTENING) ArmAccept(r, s);
  return nullptr;
}

// connect(family 0|4|6, address, port) -> id; EV_CONNECT follows.
napi_value Connect(napi_env env, napi_callback_info info) {
  ARGS(3);
  Ring* r = GetReadyRing(env);
  if (!r) return nullptr;
  struct sockaddr_storage ss;
  socklen_t len = 0;
  int af = 0;
  int fd = OpenStreamSocket(env, argv, "connect", &ss, &len, &af);
  if (fd < 0) return nullptr;
  if (af != AF_UNIX) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  io_uring_sqe* sqe = GetSqe(r);
  if (!sqe) {
    close(fd);
    return ThrowErrno(env, EBUSY, "connect");
  }
  Sock* s = NewSock(r, fd, S_CONNECTING, af != AF_UNIX);
  s->addr = ss;
  s->addrLen = len;
  io_uring_prep_connect(sqe, fd, reinterpret_cast<struct sockaddr*>(&s->addr), s->addrLen);
  io_uring_sqe_set_data64(sqe, MakeUd(s->id, OP_CONNECT));
  s->inflight++;
  napi_value out;
  napi_create_uint32(env, s->id, &out);
  return out;
}

Sock* ArgSock(napi_env env, napi_callback_info info, Ring** ringOut, napi_value* extra) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  Ring* r = GetRing(env);
  if (!r || !r->ready || r->dead) return nullptr;
  *ringOut = r;
  if (extra) *extra = argv[1];
  Sock* s = Find(r, U32(env, argv[0]));
  if (!s || s->state == S_LISTENING) return nullptr;
  return s;
}

// start(id): begin receiving.
napi_value Start(napi_env env, napi_callback_info info) {
  Ring* r;
  Sock* s = ArgSock(env, info, &r, nullptr);
  if (!s) return nullptr;
  s->started = true;
  if (WantRecv(s)) ArmRecv(r, s);
  return nullptr;
}

napi_value Pause(napi_env env, napi_callback_info info) {
  Ring* r;
  Sock* s = ArgSock(env, info, &r, nullptr);
  if (!s || s->paused) return nullptr;
  s->paused = true;
  // Paused during a call that handed it more than one limited arm's worth: the rest of
  // that call's bytes are copied aside in JS. Limit its arms from now on.
  if (s->callSeq == r->calls && s->callBytes > kRecvLimit) s->limitArms = true;
  s->calm = 0;
  if (s->recvArmed && !s->recvCancel && !WantRecv(s) && !s->destroying) {
    io_uring_sqe* sqe = GetSqe(r);
    if (sqe) {
      io_uring_prep_cancel64(sqe, MakeUd(s->id, OP_RECV), 0);
      io_uring_sqe_set_data64(sqe, MakeUd(s->id, OP_CANCEL));
      s->recvCancel = true;
      s->inflight++;
    }
  }
  return nullptr;
}

napi_value Resume(napi_env env, napi_callback_info info) {
  Ring* r;
  Sock* s = ArgSock(env, info, &r, nullptr);
  if (!s || !s->paused) return nullptr;
  s->paused = false;
  // If a cancel is still on its way, the recv's -ECANCELED completion re-arms. Resumed
  // while JS handles a wake-up's events: armed with the queued ones, after the starved.
  if (WantRecv(s) && !s->recvArmed) {
    if (r->inCallback) QueueRearm(r, s, false);
    else ArmRecv(r, s);
  }
  return nullptr;
}

// write(id, chunks: Uint8Array[]) -> boolean (false: wait for drain)
napi_value Write(napi_env env, napi_callback_info info) {
  Ring* r;
  napi_value arr;
  Sock* s = ArgSock(env, info, &r, &arr);
  napi_value out;
  if (!s || s->destroying || s->ending || s->state != S_OPEN) {
    napi_get_boolean(env, false, &out);
    return out;
  }
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok)
    return ThrowMsg(env, "ERR_INVALID_ARG_TYPE", "chunks must be an array");
  for (uint32_t i = 0; i < n; i++) {
    napi_value chunk;
    napi_get_element(env, arr, i, &chunk);
    napi_typedarray_type type;
    size_t length, offset;
    void* data;
    napi_value ab;
    if (napi_get_typedarray_info(env, chunk, &type, &length, &data, &ab, &offset) != napi_ok)
      return ThrowMsg(env, "ERR_INVALID_ARG_TYPE", "chunks must be Buffers");
    if (length == 0) continue;
    if (length <= kCopyThreshold) {
      // Coalesce small chunks into a native block that the kernel does not see yet.
      size_t idle = s->sending ? s->sendPieces : 0;
      Piece* tail = s->q.size() > idle ? &s->q.back() : nullptr;
      if (tail && tail->owned && tail->data == tail->owned && tail->len + length <= tail->cap) {
        memcpy(tail->owned + tail->len, data, length);
        tail->len += length;
      } else {
        size_t cap = length > kCopyBlock ? length : kCopyBlock;
        char* block = static_cast<char*>(malloc(cap));
        if (!block) return ThrowErrno(env, ENOMEM, "write");
        memcpy(block, data, length);
        s->q.push_back(Piece{block, length, nullptr, block, cap});
      }
    } else {
      napi_ref ref;
      if (napi_create_reference(env, chunk, 1, &ref) != napi_ok)
        return ThrowMsg(env, "ERR_URING_REF", "cannot reference chunk");
      s->q.push_back(Piece{static_cast<const char*>(data), length, ref, nullptr, 0});
    }
    s->queued += length;
  }
  if (!s->q.empty()) MarkDirty(r, s);
  Touch(r, s);
  bool ok = s->queued < kHighWater;
  if (!ok) s->needDrain = true;
  napi_get_boolean(env, ok, &out);
  return out;
}

// end(id): flush, FIN, close after the peer's FIN.
napi_value End(napi_env env, napi_callback_info info) {
  Ring* r;
  Sock* s = ArgSock(env, info, &r, nullptr);
  if (!s || s->destroying || s->ending) return nullptr;
  if (s->state == S_CONNECTING) {
    CloseSock(r, s, 0);
    return nullptr;
  }
  s->ending = true;
  Touch(r, s);
  if (!s->sending && s->q.empty()) DoShutdown(r, s);
  if (!s->recvArmed && WantRecv(s)) ArmRecv(r, s);
  return nullptr;
}

// destroy(id[, errno])
napi_value Destroy(napi_env env, napi_callback_info info) {
  Ring* r;
  napi_value errv;
  Sock* s = ArgSock(env, info, &r, &errv);
  if (!s) return nullptr;
  int32_t err = 0;
  napi_valuetype t;
  if (errv && napi_typeof(env, errv, &t) == napi_ok && t == napi_number)
    napi_get_value_int32(env, errv, &err);
  CloseSock(r, s, err);
  return nullptr;
}

// closeListener(id): EV_LISTENER_CLOSED follows.
napi_value CloseListener(napi_env env, napi_callback_info info) {
  ARGS(1);
  Ring* r = GetReadyRing(env);
  if (!r) return nullptr;
  Sock* s = Find(r, U32(env, argv[0]));
  napi_value out;
  napi_get_boolean(env, s && s->state == S_LISTENING, &out);
  if (s && s->state == S_LISTENING) CloseSock(r, s, 0);
  return out;
}

// peer(id) -> "tcp://host:port" | null
napi_value Peer(napi_env env, napi_callback_info info) {
  Ring* r;
  Sock* s = ArgSock(env, info, &r, nullptr);
  napi_value out;
  if (!s || s->fd < 0) {
    napi_get_null(env, &out);
    return out;
  }
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getpeername(s->fd, reinterpret_cast<struct sockaddr*>(&ss), &len) != 0) {
    napi_get_null(env, &out);
    return out;
  }
  return FormatAddr(env, &ss);
}

// stats() -> { sockets, mode, recvLimit, dryRecvs, longestDryRun, wakeups } (diagnostics, tests)
napi_value Stats(napi_env env, napi_callback_info info) {
  Ring* r = GetRing(env);
  napi_value out, v;
  napi_create_object(env, &out);
  napi_create_uint32(env, r ? uint32_t(r->socks.size()) : 0, &v);
  napi_set_named_property(env, out, "sockets", v);
  napi_create_string_utf8(env, !r ? "none" : r->deferMode ? "defer" : "coop", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, out, "mode", v);
  napi_create_uint32(env, r && r->recvLimit ? kRecvLimit : 0, &v);
  napi_set_named_property(env, out, "recvLimit", v);
  napi_create_double(env, r ? double(r->dryRecvs) : 0, &v);
  napi_set_named_property(env, out, "dryRecvs", v);
  napi_create_uint32(env, r ? r->longestDryRun : 0, &v);
  napi_set_named_property(env, out, "longestDryRun", v);
  napi_create_double(env, r ? double(r->wakeups) : 0, &v);
  napi_set_named_property(env, out, "wakeups", v);
  if (r) r->longestDryRun = 0;  // per stats() call
  return out;
}

napi_value ModuleInit(napi_env env, napi_value exports) {
  AddonData* ad = new AddonData();
  if (napi_set_instance_data(env, ad, FinalizeAddonData, nullptr) != napi_ok) {
    delete ad;
    return nullptr;
  }
  struct {
    const char* name;
    napi_callback cb;
  } fns[] = {
      {"probe", Probe},     {"init", Init},         {"listen", Listen},
      {"connect", Connect}, {"rearmAccept", RearmAccept},
      {"start", Start},     {"pause", Pause},       {"resume", Resume},
      {"write", Write},     {"end", End},           {"destroy", Destroy},
      {"closeListener", CloseListener},             {"peer", Peer},
      {"stats", Stats},
  };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  napi_value v;
  napi_create_uint32(env, kEventInts, &v);
  napi_set_named_property(env, exports, "EVENT_INTS", v);
  napi_create_uint32(env, kBufSize, &v);
  napi_set_named_property(env, exports, "RECV_BUFFER_SIZE", v);
  napi_create_uint32(env, kBufCount, &v);
  napi_set_named_property(env, exports, "RECV_BUFFER_COUNT", v);
  napi_create_uint32(env, kCallBuffers * kBufSize, &v);
  napi_set_named_property(env, exports, "CALL_BYTES", v);
  // Version of the JS <-> addon contract: 2 = received bytes are read in place from the
  // region (no inbox). The JS side refuses an addon with another version.
  napi_create_uint32(env, 2, &v);
  napi_set_named_property(env, exports, "PROTOCOL", v);
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return ModuleInit(env, exports); }
