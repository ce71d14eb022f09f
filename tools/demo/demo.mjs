#!/usr/bin/env node
// Monocoque demo: a ROUTER server (in its own process) and several DEALER clients over TCP
// and IPC. Prints each exchange, then a quick throughput and round-trip latency figure.
// Run from the repository root with `pnpm demo` (builds the packages first).
import { fork } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';

const TCP = 'tcp://127.0.0.1:*';
const IPC = `ipc://${join(tmpdir(), `monocoque-demo-${process.argv[2] === '--server' ? process.ppid : process.pid}.sock`)}`;

if (process.argv[2] === '--server') {
  // ---- server process: echo every message back to its sender, tagged. `mandatory`: when a
  // client's queue is full, send() waits for room instead of dropping (a plain ROUTER drops,
  // as in libzmq, and the demo's client would then wait forever for the missing echoes).
  const router = new Router({ mandatory: true });
  await router.bind(TCP);
  const tcp = router.lastEndpoint;
  await router.bind(IPC);
  const ipc = router.lastEndpoint;
  process.send({ tcp, ipc });
  process.on('message', (m) => m === 'stop' && (router.close(), process.exit(0)));
  for await (const [id, ...frames] of router) {
    if (frames[0]?.toString() === 'hello') {
      await router.send([id, 'welcome', `you are ${id.toString()}`]);
    } else {
      await router.send([id, ...frames]);
    }
  }
} else {
  // ---- client process
  const server = fork(new URL(import.meta.url).pathname, ['--server'], { stdio: 'inherit' });
  const { tcp, ipc } = await new Promise((resolve) => server.once('message', resolve));
  console.log(`ROUTER server (pid ${server.pid}) listening on ${tcp} and ${ipc}\n`);

  const clients = ['alpha', 'bravo', 'charlie', 'delta'].map((name, i) => {
    const dealer = new Dealer({ routingId: name });
    const endpoint = i % 2 === 0 ? tcp : ipc;
    dealer.connect(endpoint);
    return { name, dealer, endpoint };
  });
  for (const { name, dealer, endpoint } of clients) {
    await dealer.send('hello');
    const [a, b] = await dealer.receive();
    console.log(`DEALER ${name.padEnd(8)} via ${endpoint.split(':')[0]}: sent "hello", got "${a}" / "${b}"`);
  }

  // Throughput: one DEALER streams 64-byte messages; the server echoes them back.
  const { dealer } = clients[0];
  const N = Number(process.env.MONOCOQUE_DEMO_MESSAGES ?? 200_000);
  const payload = Buffer.alloc(64, 0x61);
  let t0 = process.hrtime.bigint();
  const receiving = (async () => {
    let n = 0;
    while (n < N) n += (await dealer.receiveMany()).length;
  })();
  for (let i = 0; i < N; i++) if (!dealer.write(payload)) await dealer.flush();
  await receiving;
  let secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`\nthroughput: ${N.toLocaleString()} x 64 B echoed over TCP in ${secs.toFixed(2)} s = ${Math.round(N / secs).toLocaleString()} msg/s each way`);

  // Latency: sequential round trips.
  const R = Math.min(5_000, N);
  const samples = new Float64Array(R);
  for (let i = 0; i < R; i++) {
    t0 = process.hrtime.bigint();
    await dealer.send(payload);
    await dealer.receive();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  samples.sort();
  const p = (q) => samples[Math.min(R - 1, Math.floor(q * R))].toFixed(1);
  console.log(`latency: ${R.toLocaleString()} round trips of 64 B over TCP: p50 ${p(0.5)} µs, p99 ${p(0.99)} µs`);

  for (const c of clients) c.dealer.close();
  server.send('stop');
  console.log('\ndone.');
}
