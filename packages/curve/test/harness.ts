// An in-memory link between two ZmtpSessions: each side's output is queued, optionally
// cut into pieces and tampered with frame by frame, and fed to the other side.
import type { Command, HandshakeFailure, Mechanism, MechanismHandshake, PeerInfo, SessionOptions, ZmqError } from '@monocoque/zmtp';
import { ZmtpSession } from '@monocoque/zmtp';

/** `m`, recording into `handshakes` every handshake it creates (to reach their transforms). */
export function recordHandshakes(m: Mechanism, handshakes: MechanismHandshake[]): Mechanism {
  return {
    ...m,
    createHandshake: (context, callbacks) => {
      const h = m.createHandshake(context, callbacks);
      handshakes.push(h);
      return h;
    },
  };
}

export interface Side {
  readonly session: ZmtpSession;
  ready: PeerInfo | undefined;
  readonly frames: Array<{ body: Buffer; more: boolean }>;
  readonly commands: Command[];
  readonly errors: Array<{ error: ZmqError; failure: HandshakeFailure | undefined }>;
  /** Every complete frame this side wrote after its greeting (raw, header included). */
  readonly sent: Buffer[];
}

/** Sees each complete frame (raw bytes) going one way; returns what to deliver instead. */
export type Tap = (frame: Buffer, index: number) => Buffer[];

export interface LinkOptions {
  /** Cuts a chunk into the pieces fed to the peer (default: whole). */
  readonly split?: (chunk: Buffer) => Buffer[];
  readonly toServer?: Tap;
  readonly toClient?: Tap;
}

/** Splits a byte stream into the 64-byte greeting and complete ZMTP frames. */
class FrameCutter {
  private pending = Buffer.alloc(0);
  private greetingLeft = 64;
  private index = 0;

  constructor(
    private readonly onGreeting: (bytes: Buffer) => void,
    private readonly onFrame: (frame: Buffer, index: number) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.greetingLeft > 0) {
      const take = Math.min(this.greetingLeft, chunk.length);
      this.onGreeting(chunk.subarray(0, take));
      this.greetingLeft -= take;
      chunk = chunk.subarray(take);
    }
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const p = this.pending;
      if (p.length < 2) return;
      const long = (p[0]! & 0x02) !== 0;
      const head = long ? 9 : 2;
      if (p.length < head) return;
      const size = long ? Number(p.readBigUInt64BE(1)) : p[1]!;
      if (p.length < head + size) return;
      this.onFrame(Buffer.from(p.subarray(0, head + size)), this.index++);
      this.pending = p.subarray(head + size);
    }
  }
}

export interface Link {
  readonly client: Side;
  readonly server: Side;
  /** Deliver everything queued, letting microtasks (the ZAP answer) and timers run between rounds. */
  settle(): Promise<void>;
  /** Send a message (one frame per element) from one side, through its transform. */
  send(from: Side, frames: Buffer[]): void;
  /** Deliver raw bytes to a side, bypassing taps. */
  inject(to: Side, bytes: Buffer): void;
}

export function link(clientOptions: SessionOptions, serverOptions: SessionOptions, options: LinkOptions = {}): Link {
  const queues = { toServer: [] as Buffer[], toClient: [] as Buffer[] };
  const split = options.split ?? ((b: Buffer) => [b]);

  const cutters = new Map<Side, FrameCutter>();
  const side = (options_: SessionOptions, queue: Buffer[], tap: Tap | undefined): Side => {
    const s = {
      ready: undefined,
      frames: [],
      commands: [],
      errors: [],
      sent: [],
    } as unknown as { -readonly [K in keyof Side]: Side[K] };
    const cutter = new FrameCutter(
      (greeting) => queue.push(Buffer.from(greeting)),
      (frame, index) => {
        s.sent.push(frame);
        // What crosses a wire is a copy: the receiver opens MESSAGE boxes in place.
        for (const out of tap ? tap(frame, index) : [frame]) queue.push(Buffer.from(out));
      },
    );
    s.session = new ZmtpSession(options_, {
      write: (data) => cutter.push(data),
      ready: (peer) => {
        s.ready = peer;
      },
      frame: (body, more) => {
        s.frames.push({ body: Buffer.from(body), more });
      },
      command: (command) => {
        s.commands.push({ name: command.name, data: Buffer.from(command.data) });
      },
      error: (error, failure) => {
        s.errors.push({ error, failure });
      },
    });
    cutters.set(s as Side, cutter);
    return s as Side;
  };

  const client = side(clientOptions, queues.toServer, options.toServer);
  const server = side(serverOptions, queues.toClient, options.toClient);

  const pump = (): boolean => {
    let moved = false;
    while (queues.toServer.length > 0 || queues.toClient.length > 0) {
      moved = true;
      const a = queues.toServer.splice(0);
      for (const chunk of a) for (const piece of split(chunk)) server.session.feed(piece);
      const b = queues.toClient.splice(0);
      for (const chunk of b) for (const piece of split(chunk)) client.session.feed(piece);
    }
    return moved;
  };

  client.session.start();
  server.session.start();

  return {
    client,
    server,
    async settle() {
      for (let idle = 0; idle < 3; ) {
        idle = pump() ? 0 : idle + 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    send(from, frames) {
      const cutter = cutters.get(from)!;
      frames.forEach((body, i) => cutter.push(from.session.encodeFrame(body, i < frames.length - 1)));
    },
    inject(to, bytes) {
      to.session.feed(bytes);
    },
  };
}

/** Cut `data` at the given fractions of its length. */
export function cutAt(fractions: readonly number[]): (data: Buffer) => Buffer[] {
  return (data) => {
    const cuts = [...new Set(fractions.map((f) => Math.floor(f * data.length)))].filter((c) => c > 0 && c < data.length).sort((x, y) => x - y);
    const points = [0, ...cuts, data.length];
    const out: Buffer[] = [];
    for (let i = 0; i + 1 < points.length; i++) out.push(data.subarray(points[i], points[i + 1]));
    return out;
  };
}

/** Body of a raw frame (header stripped). */
export function bodyOf(frame: Buffer): Buffer {
  return frame.subarray(frame[0]! & 0x02 ? 9 : 2);
}

/** Re-frame `body` with the header flags of `like`. */
export function reframe(like: Buffer, body: Buffer): Buffer {
  const flags = like[0]! & ~0x02;
  if (body.length <= 255) return Buffer.concat([Uint8Array.of(flags, body.length), body]);
  const head = Buffer.alloc(9);
  head[0] = flags | 0x02;
  head.writeBigUInt64BE(BigInt(body.length), 1);
  return Buffer.concat([head, body]);
}

/** The command name of a raw command frame ('' for anything else). */
export function commandName(frame: Buffer): string {
  const body = bodyOf(frame);
  return body.length > 0 ? body.toString('latin1', 1, 1 + body[0]!) : '';
}
