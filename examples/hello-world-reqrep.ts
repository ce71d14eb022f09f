// REQ/REP hello world: a Reply server answers "World" to each of 10 "Hello" requests.
import { Reply, Request } from '@monocoque/reqrep';

const REQUESTS = 10;

const server = new Reply();
await server.bind('tcp://127.0.0.1:*');
const endpoint = server.lastEndpoint!;
console.log(`server bound to ${endpoint}`);

// The server answers exactly REQUESTS requests, then stops.
const serving = (async () => {
  for (let i = 0; i < REQUESTS; i++) {
    const [request] = await server.receive();
    await server.send(`World (reply to ${request!.toString()})`);
  }
})();

const client = new Request();
client.connect(endpoint);
for (let i = 1; i <= REQUESTS; i++) {
  await client.send(`Hello ${i}`);
  const [reply] = await client.receive();
  console.log(`request ${i}: got "${reply!.toString()}"`);
}

await serving;
client.close();
server.close();
console.log(`done: ${REQUESTS} requests answered`);
