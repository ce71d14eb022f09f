// Code written for zeromq.js v6, running on Monocoque: only the import differs.
// A queue broker (Router front end, Dealer back end) with zeromq.js's Proxy, REQ clients and
// REP workers; zeromq.js's numeric socket types, its Observer events and its error codes.
import * as zmq from '@monocoque/zeromq'; // was: import * as zmq from "zeromq"

const frontend = new zmq.Router();
const backend = new zmq.Dealer();
await frontend.bind('tcp://127.0.0.1:*');
await backend.bind('tcp://127.0.0.1:*');
console.log(`broker: ROUTER (type ${frontend.type}) on ${frontend.lastEndpoint}, DEALER (type ${backend.type}) on ${backend.lastEndpoint}`);

backend.events.on('accept', (event) => console.log(`broker: worker connected (${event.type})`));
const proxy = new zmq.Proxy(frontend, backend);
const proxying = proxy.run();

const workers = [1, 2].map(() => new zmq.Reply());
const serving = workers.map(async (worker, i) => {
  worker.connect(backend.lastEndpoint!);
  for await (const [request] of worker) await worker.send(`${request} handled by worker ${i + 1}`);
});

const client = new zmq.Request({ receiveTimeout: 5000 });
client.connect(frontend.lastEndpoint!);
for (let i = 1; i <= 4; i++) {
  await client.send(`job ${i}`);
  const [reply] = await client.receive();
  console.log(`client: ${reply}`);
}

// A receive that times out fails as with zeromq.js: code EAGAIN, its message text.
const idle = new zmq.Pull({ receiveTimeout: 50 });
try {
  await idle.receive();
} catch (error) {
  const e = error as { code: string; message: string };
  console.log(`idle pull: ${e.code} (${e.message})`);
  if (e.code !== 'EAGAIN') throw error;
}
idle.close();

client.close();
proxy.terminate(); // closes frontend and backend; run() resolves
await proxying;
for (const worker of workers) worker.close(); // ends each worker's for-await loop
await Promise.all(serving);
console.log('done: 4 jobs through the proxy');
