// usage: node pp.mjs recv|send endpoint N
import "@monocoque/uring/register";
import { Pull, Push } from '@monocoque/pipeline';
const [role, ep, n] = process.argv.slice(2);
const N = Number(n);
if (role === 'recv') {
  const pull = new Pull();
  await pull.bind(ep);
  console.log('ready', pull.lastEndpoint);
  let i = 0; const t0 = process.hrtime.bigint(); let start;
  for await (const _m of pull) { if (i === 0) start = process.hrtime.bigint(); if (++i === N) break; }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.error(`recv ${N} in ${ms.toFixed(0)} ms: ${(N / ms / 1000).toFixed(2)} M/s`);
  pull.close();
} else {
  const push = new Push();
  push.connect(ep);
  const msg = Buffer.alloc(64);
  for (let i = 0; i < N; i++) await push.send(msg);
  push.close();
}
