// CURVE-secured PUB/SUB. The publisher is a CURVE server; a ZAP authenticator admits only the
// trusted subscriber's public key. A second subscriber with a key of its own is refused during
// the handshake, and the trusted one receives the (encrypted on the wire) updates.
import '@monocoque/curve/register'; // makes the curve* socket options available
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { curveKeyPair, z85Decode } from '@monocoque/curve';
import { Publisher, Subscriber } from '@monocoque/pubsub';
import { type ZapDecision, startAuthenticator } from '@monocoque/zap';

const UPDATES = 10;

const serverKeys = curveKeyPair();
const trustedKeys = curveKeyPair();
const intruderKeys = curveKeyPair();

const auth = startAuthenticator({ curve: [trustedKeys.publicKey] });
const decisions: ZapDecision[] = [];
auth.on('decision', (d: ZapDecision) => {
  decisions.push(d);
  // CURVE requests carry the client's raw 32-byte public key.
  const who = d.request.credentials[0]?.equals(z85Decode(trustedKeys.publicKey)) ? 'trusted' : 'intruder';
  console.log(`zap: ${d.request.mechanism} client (${who}) from ${d.request.address}: ${d.reply.statusCode} ${d.reply.statusText ?? ''}`);
});

const publisher = new Publisher({ curveServer: true, curveSecretKey: serverKeys.secretKey });
await publisher.bind('tcp://127.0.0.1:*');
const endpoint = publisher.lastEndpoint!;
console.log(`publisher (CURVE server) bound to ${endpoint}`);

function subscriberWith(keys: { publicKey: string; secretKey: string }): Subscriber {
  const sub = new Subscriber({ curveServerKey: serverKeys.publicKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey });
  sub.subscribe('secret ');
  sub.connect(endpoint);
  return sub;
}

// The intruder knows the server's public key but its own key is not on the list.
const intruder = subscriberWith(intruderKeys);
const refused = new Promise<unknown>((resolve) => intruder.events.on('handshake:error:auth', (e) => resolve(e.error)));

const trusted = subscriberWith(trustedKeys);

let enough = false;
const publishing = (async () => {
  for (let i = 0; !enough; i++) {
    await publisher.send(`secret update ${i}`);
    await yieldToEventLoop();
  }
})();

for (let i = 0; i < UPDATES; i++) {
  const [update] = await trusted.receive();
  if (!update!.toString().startsWith('secret update ')) throw new Error(`unexpected update ${update!.toString()}`);
}
enough = true;
await publishing;
console.log(`trusted subscriber received ${UPDATES} updates over CURVE`);

const error = (await refused) as { message?: string };
console.log(`intruder refused: ${error?.message ?? String(error)}`);

const allowed = decisions.filter((d) => String(d.reply.statusCode) === '200').length;
const denied = decisions.filter((d) => String(d.reply.statusCode) === '400').length;
if (allowed < 1 || denied < 1) throw new Error(`expected an allowed and a denied client, got ${allowed} allowed and ${denied} denied`);

trusted.close();
intruder.close();
publisher.close();
await auth.stop();
console.log(`done: ZAP allowed ${allowed} and denied ${denied} connection(s)`);
