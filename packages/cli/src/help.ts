/** The `--help` texts. */
import { SOCKET_TYPES } from './sockets.js';

const SECURITY = `Security (pick one mechanism; default NULL):
  --curve-server --curve-secret-key K        CURVE server with its secret key (Z85)
  --curve-server-key K [--curve-public-key K --curve-secret-key K]
                                             CURVE client; without its own keys it makes
                                             a fresh pair (public key printed on stderr)
  --plain-user U --plain-password P          PLAIN client
  --plain-server [--plain-user U --plain-password P]
                                             PLAIN server: accepts that account, or any
                                             username and password when none is given`;

const ENDPOINTS = `Endpoints (repeatable, in order; extra arguments after one are more of the same):
  -b, --bind EP        bind, e.g. tcp://*:5555, tcp://127.0.0.1:* (port printed on stderr),
                       ipc:///tmp/x.sock
  -c, --connect EP     connect, e.g. tcp://localhost:5555
  --routing-id ID      this socket's routing id
  --linger MS          on exit, how long queued messages may take to leave (default 5000)`;

const EXIT = `Exit codes: 0 ok, 1 runtime error (timeout, bind or handshake failure, bad input),
2 usage error, 130/143 stopped by SIGINT/SIGTERM.`;

/** Help texts by command. */
export const HELP: Record<string, string> = {
  main: `monocoque — a ZeroMQ command-line tool (ZMTP 3.1; talks to libzmq, pyzmq, zeromq.js)

Usage: monocoque <command> [options]

Commands:
  <type> (--bind|--connect) EP...   open a socket, send stdin lines, print what arrives
                                    types: ${SOCKET_TYPES.join(' ')}
  sub --connect EP [--topic T]...   print what a publisher sends (topic filters)
  req --connect EP                  send each line as a request, print the reply
  rep --bind EP [--echo]            print requests; answer with the next line, or --echo
  monitor <type> --bind|--connect EP
                                    print the socket's connection events with the peer
  proxy --frontend T@EP --backend T@EP [--capture T@EP]
                                    forward both ways (router/dealer, xsub/xpub, pull/push)
  keygen [--json]                   make a CURVE key pair (Z85)
  bench push|pull|req|rep ...       measure throughput or latency against any ZeroMQ peer
  help [command]                    this text, or a command's

Options:
  -h, --help       help (also after a command: monocoque sub --help)
  -V, --version    print the version

${EXIT}
Examples:
  monocoque sub --connect tcp://localhost:5556 --topic weather.
  echo hello | monocoque req --connect tcp://localhost:5555
  monocoque rep --bind tcp://*:5555 --echo
  monocoque proxy --frontend router@tcp://*:5559 --backend dealer@tcp://*:5560
  monocoque bench pull --bind tcp://*:5555 --count 1000000`,

  socket: `Usage: monocoque <type> (--bind|--connect) EP... [options]
  type: ${SOCKET_TYPES.join(', ')}

Sends messages read from stdin (one per line) and prints each message that arrives, one per
line. req: request, then print the reply, in turn. rep: print a request, answer it with the
next input message (or with itself under --echo). push/pub: only send, exit when the input
ends. pull/sub: only print. pair/dealer/router/xpub/xsub: both at once; they keep printing
after the input ends (use --count, --timeout or Ctrl-C).

${ENDPOINTS}

Input (socket types that send):
  (default)            stdin, one message per line
  -m, --message TEXT   send TEXT (repeatable; stdin is not read)
  --file PATH          send the file's content as one message (repeatable)
  --raw                all of stdin as one message
  --input text|json    line format: text (default), or JSON: a string or an array of
                       frames, each a string, {"base64": "..."} or {"hex": "..."}
  -s, --separator SEP  text lines: split each into frames at SEP (e.g. router: "id|body")
  --delay MS           wait before sending the first message (a PUB's subscribers join)

Output:
  -f, --format FMT     text (default): frames joined by " | ", UTF-8, or 0x<hex> when not
                       printable; hex: frames as hex joined by " | "; json: one JSON array
                       per message, a string per UTF-8 frame, else {"base64": "..."}
  -q, --quiet          print nothing (e.g. rep --echo as a test server)

Ending:
  -n, --count N        stop after N messages received (req: N replies; rep: N answered;
                       push/pub: N sent)
  -t, --timeout MS     fail (exit 1) when a send or receive waits longer than MS
  --topic T            sub/xsub: subscribe to T (repeatable; sub default: everything)
  --echo               rep: answer each request with itself

${SECURITY}

${EXIT}`,

  monitor: `Usage: monocoque monitor <type> (--bind|--connect) EP... [options]

Opens a socket of <type> and prints its events, one line each: time, event, endpoint, and
the peer (peer=<address> routing-id=<id> socket-type=<type> once the handshake told them),
with the error of failures. Messages that arrive are read and dropped (not on req/rep).
Events: bind, accept, connect, connect:delay, connect:retry, handshake,
handshake:error:protocol|auth|other, disconnect, close, bind:error, accept:error, ...

  -f, --format FMT     text (default) or json (one object per line)
  -n, --count N        stop after N events
  -t, --timeout MS     fail (exit 1) when no event comes for MS
  --topic T            sub: what to subscribe to (default: everything)

${ENDPOINTS}

${SECURITY}

${EXIT}`,

  proxy: `Usage: monocoque proxy --frontend SPEC --backend SPEC [--capture SPEC]

Forwards messages between two sockets (zmq_proxy, @monocoque/proxy), in both directions
at once, frames intact. SPEC is <type>@<endpoint> to bind or '<type>><endpoint>' to
connect (quote the >):
  monocoque proxy --frontend router@tcp://*:5559 --backend dealer@tcp://*:5560
  monocoque proxy --frontend xsub@tcp://*:5557 --backend xpub@tcp://*:5558
  monocoque proxy --frontend pull@tcp://*:5555 --backend 'push>tcp://sink:5556'
  --capture SPEC   a socket (e.g. pub@tcp://*:5570) that gets a copy of every message
Runs until SIGINT/SIGTERM.

${EXIT}`,

  keygen: `Usage: monocoque keygen [--json] [--secret K]

Prints a new CURVE key pair in Z85 (40 characters each):
  public-key: <Z85>
  secret-key: <Z85>
  --json        {"publicKey": "...", "secretKey": "..."}
  --secret K    do not make a new pair: print the public key of secret key K

${EXIT}`,

  bench: `Usage: monocoque bench push|pull|req|rep (--bind|--connect) EP [options]

Measures against any ZeroMQ peer (another monocoque, libzmq, pyzmq, zeromq.js):
  push   send --count messages of --size bytes as fast as the peer takes them
  pull   receive --count messages; timed from the first to the last
  req    --count round trips of --size bytes, one at a time: latency percentiles
  rep    answer --count requests with the request itself (the echo req expects)
Pair push with pull and req with rep (either side may bind).

  -n, --count N      messages (push/pull default 100000; req/rep 10000)
  -s, --size BYTES   message size, sending side (default 100)
  -t, --timeout MS   fail (exit 1) when waiting longer than MS for the peer or a message
  --json             the summary as one JSON object
A progress line is drawn on stderr when it is a terminal. MB is 10^6 bytes (req/rep:
the requests' payload).

${ENDPOINTS}

${SECURITY}

${EXIT}`,
};
