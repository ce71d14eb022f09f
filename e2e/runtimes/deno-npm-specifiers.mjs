// Deno only: the packages imported the way the README tells Deno users to, through `npm:`
// specifiers (resolved here from the workspace's node_modules), under the permissions the
// README lists rather than -A. Run by tools/runtimes/run.mjs; prints `N passed, N failed`.
import { Dealer } from 'npm:@monocoque/dealer';
import { Router } from 'npm:@monocoque/router';

const ENDPOINTS = ['tcp://127.0.0.1:*', `ipc:///tmp/monocoque-deno-npm-${Deno.pid}.sock`];
let passed = 0;
let failed = 0;
for (const endpoint of ENDPOINTS) {
  const router = new Router({ linger: 0 });
  const dealer = new Dealer({ linger: 0, routingId: 'deno' });
  let timer;
  try {
    await router.bind(endpoint);
    dealer.connect(router.lastEndpoint);
    await dealer.send('hello');
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no message within 5000 ms')), 5000)));
    const [id, msg] = await Promise.race([router.receive(), timeout]);
    if (id.toString() !== 'deno' || msg.toString() !== 'hello') throw new Error(`got [${id}, ${msg}]`);
    passed++;
    console.log(`ok    npm:@monocoque/dealer and npm:@monocoque/router round trip over ${endpoint}`);
  } catch (err) {
    failed++;
    console.log(`FAIL  npm: specifiers over ${endpoint}: ${err.stack ?? err}`);
  } finally {
    clearTimeout(timer);
    dealer.close();
    router.close();
  }
}
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed > 0 ? 1 : 0);
