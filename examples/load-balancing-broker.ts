// Load-balancing broker: clients (REQ) talk to a ROUTER frontend, workers (REQ) to a ROUTER
// backend. A worker announces itself with "READY" and then every reply it sends doubles as its
// request for more work, so the broker hands each client request to a worker that is idle.
import { Request } from '@monocoque/reqrep';
import { Router } from '@monocoque/router';

const CLIENTS = 4;
const WORKERS = 3;
const REQUESTS_PER_CLIENT = 5;

const frontend = new Router();
const backend = new Router();
await frontend.bind('tcp://127.0.0.1:*');
await backend.bind('tcp://127.0.0.1:*');
const frontendEndpoint = frontend.lastEndpoint!;
const backendEndpoint = backend.lastEndpoint!;
console.log(`broker: frontend ${frontendEndpoint}, backend ${backendEndpoint}`);

// Idle workers, and frontend requests waiting for one.
const idle: Buffer[] = [];
const waitingForWorker: ((worker: Buffer) => void)[] = [];
function workerAvailable(worker: Buffer): void {
  const waiter = waitingForWorker.shift();
  if (waiter) waiter(worker);
  else idle.push(worker);
}
function nextWorker(): Promise<Buffer> {
  const worker = idle.shift();
  return worker ? Promise.resolve(worker) : new Promise((resolve) => waitingForWorker.push(resolve));
}

const backendLoop = (async () => {
  try {
    // From a worker: [worker, '', 'READY'] or [worker, '', client, '', reply].
    for await (const [worker, , clientOrReady, , reply] of backend) {
      workerAvailable(worker!);
      if (clientOrReady!.toString() !== 'READY') await frontend.send([clientOrReady!, Buffer.alloc(0), reply!]);
    }
  } catch {
    // closed
  }
})();

const frontendLoop = (async () => {
  try {
    for await (const [client, , request] of frontend) {
      const worker = await nextWorker();
      await backend.send([worker, Buffer.alloc(0), client!, Buffer.alloc(0), request!]);
    }
  } catch {
    // closed
  }
})();

const handledBy = new Map<string, number>();
const workers = Array.from({ length: WORKERS }, (_, w) => {
  const socket = new Request({ routingId: `worker-${w}` });
  socket.connect(backendEndpoint);
  const done = (async () => {
    try {
      await socket.send('READY');
      for (;;) {
        const [client, empty, request] = await socket.receive();
        handledBy.set(`worker-${w}`, (handledBy.get(`worker-${w}`) ?? 0) + 1);
        await socket.send([client!, empty!, `${request!.toString()} done by worker-${w}`]);
      }
    } catch {
      // closed
    }
  })();
  return { socket, done };
});

const clients = Array.from({ length: CLIENTS }, async (_, c) => {
  const socket = new Request({ routingId: `client-${c}` });
  socket.connect(frontendEndpoint);
  for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
    const request = `client-${c} job ${i}`;
    await socket.send(request);
    const [reply] = await socket.receive();
    if (!reply!.toString().startsWith(`${request} done by`)) throw new Error(`client-${c} got someone else's reply: ${reply!.toString()}`);
  }
  console.log(`client-${c}: all ${REQUESTS_PER_CLIENT} replies received`);
  socket.close();
});
await Promise.all(clients);

for (const [worker, count] of [...handledBy].sort()) console.log(`${worker} handled ${count} request(s)`);
const total = [...handledBy.values()].reduce((a, b) => a + b, 0);
if (total !== CLIENTS * REQUESTS_PER_CLIENT) throw new Error(`workers handled ${total} requests`);

for (const w of workers) w.socket.close();
frontend.close();
backend.close();
await Promise.all([frontendLoop, backendLoop, ...workers.map((w) => w.done)]);
console.log(`done: ${CLIENTS} clients x ${REQUESTS_PER_CLIENT} requests through ${WORKERS} workers`);
