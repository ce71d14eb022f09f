// Lazy Pirate: a reliable request-reply client on top of REQ. The client waits for each reply at
// most TIMEOUT_MS (receiveTimeout); when none comes it closes its REQ socket (a REQ socket that
// sent a request cannot send another), opens a fresh one and resends, up to RETRIES times.
// The server here deliberately ignores some requests, so the retry path really runs.
import { Request } from '@monocoque/reqrep';
import { Router } from '@monocoque/router';

const REQUESTS = 8;
const RETRIES = 3;
const TIMEOUT_MS = 300;

// A ROUTER plays the server so that it can "drop" a request simply by not answering it and go
// on serving the next one. It ignores the first attempt at every third request.
const server = new Router();
await server.bind('tcp://127.0.0.1:*');
const endpoint = server.lastEndpoint!;
const ignoredOnce = new Set<string>();
let ignored = 0;
const serving = (async () => {
  try {
    for await (const [identity, empty, body] of server) {
      const text = body!.toString();
      const seq = Number(text);
      if (seq % 3 === 0 && !ignoredOnce.has(text)) {
        ignoredOnce.add(text);
        ignored++;
        console.log(`server: ignoring request ${text} (simulated overload)`);
        continue;
      }
      await server.send([identity!, empty!, `reply ${text}`]);
    }
  } catch {
    // closed
  }
})();

function openClient(): Request {
  const client = new Request({ receiveTimeout: TIMEOUT_MS, linger: 0 });
  client.connect(endpoint);
  return client;
}

let client = openClient();
let retries = 0;
for (let seq = 1; seq <= REQUESTS; seq++) {
  let answered = false;
  for (let attempt = 0; attempt <= RETRIES && !answered; attempt++) {
    if (attempt > 0) {
      retries++;
      console.log(`client: no reply to ${seq} within ${TIMEOUT_MS} ms, reopening socket and retrying (${attempt}/${RETRIES})`);
      client.close();
      client = openClient();
    }
    await client.send(String(seq));
    try {
      const [reply] = await client.receive();
      if (reply!.toString() !== `reply ${seq}`) throw new Error(`request ${seq}: unexpected reply ${reply!.toString()}`);
      console.log(`client: request ${seq} answered`);
      answered = true;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EAGAIN') throw err;
    }
  }
  if (!answered) throw new Error(`request ${seq}: server seems to be offline, abandoning after ${RETRIES} retries`);
}

client.close();
server.close();
await serving;
console.log(`done: ${REQUESTS} requests answered, server ignored ${ignored}, client retried ${retries} time(s)`);
if (ignored === 0 || retries !== ignored) throw new Error('the retry path did not run as planned');
