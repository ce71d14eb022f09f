// PUB/SUB weather updates. The publisher sends "zip temperature humidity" for random zip codes;
// the subscriber filters on one zip code and averages the temperature of the first UPDATES it gets.
// The publisher keeps publishing until the subscriber says it has enough, so a subscriber that
// joins late (the "slow joiner") only misses the first few updates, never the whole run.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Publisher, Subscriber } from '@monocoque/pubsub';

const ZIP = '10001';
const UPDATES = 20;

const publisher = new Publisher();
await publisher.bind('tcp://127.0.0.1:*');
const endpoint = publisher.lastEndpoint!;
console.log(`weather server bound to ${endpoint}`);

const subscriber = new Subscriber();
subscriber.connect(endpoint);
subscriber.subscribe(`${ZIP} `); // the trailing space keeps "100010" from matching

let enough = false;
let published = 0;
const publishing = (async () => {
  while (!enough) {
    // One zip in ten is the one the subscriber wants; the rest must be filtered out.
    const zip = published % 10 === 0 ? ZIP : String(10000 + Math.floor(Math.random() * 90000)).padStart(5, '0');
    const temperature = Math.floor(Math.random() * 60) - 20;
    const humidity = Math.floor(Math.random() * 60) + 10;
    await publisher.send(`${zip} ${temperature} ${humidity}`);
    published++;
    await yieldToEventLoop(); // let the subscriber's connection make progress
  }
})();

let total = 0;
for (let i = 0; i < UPDATES; i++) {
  const [update] = await subscriber.receive();
  const [zip, temperature] = update!.toString().split(' ');
  if (zip !== ZIP) throw new Error(`filter let through an update for ${zip}`);
  total += Number(temperature);
}
enough = true;
await publishing;

console.log(`received ${UPDATES} updates for ${ZIP} (publisher sent ${published} in all)`);
console.log(`average temperature for ${ZIP}: ${(total / UPDATES).toFixed(1)} °C`);
subscriber.close();
publisher.close();
