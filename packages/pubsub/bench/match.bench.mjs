// Micro-benchmark of the subscription index: 10,000 subscriptions across 100 peers.
// Compares a publish's match step (trie walk) with a linear scan over all subscriptions.
// Run: pnpm --filter ./packages/pubsub run build && node packages/pubsub/bench/match.bench.mjs
import { SubscriptionIndex } from '../dist/index.js';

const PEERS = 100;
const PER_PEER = 100;
const TOPICS = 10_000;
const ROUNDS = 5;

const peers = Array.from({ length: PEERS }, (_, i) => ({ id: i, epoch: 0 }));
const index = new SubscriptionIndex();
const flat = [];
for (const peer of peers) {
  for (let k = 0; k < PER_PEER; k++) {
    const prefix = Buffer.from(`market.${(peer.id * 7 + k * 13) % 1000}.${k % 10}`);
    index.add(prefix, peer, false);
    flat.push([prefix, peer]);
  }
}
const topics = Array.from({ length: TOPICS }, (_, i) => Buffer.from(`market.${i % 1200}.${i % 10}.tick`));

function benchTrie() {
  let epoch = 0;
  let hits = 0;
  const visit = (peer) => {
    if (peer.epoch === epoch) return;
    peer.epoch = epoch;
    hits++;
  };
  const t0 = process.hrtime.bigint();
  for (const topic of topics) {
    epoch++;
    index.match(topic, visit);
  }
  return { ns: Number(process.hrtime.bigint() - t0), hits };
}

function benchLinear() {
  let hits = 0;
  const seen = new Set();
  const t0 = process.hrtime.bigint();
  for (const topic of topics) {
    seen.clear();
    for (const [prefix, peer] of flat) {
      if (topic.length >= prefix.length && topic.compare(prefix, 0, prefix.length, 0, prefix.length) === 0 && !seen.has(peer)) {
        seen.add(peer);
        hits++;
      }
    }
  }
  return { ns: Number(process.hrtime.bigint() - t0), hits };
}

for (let r = 0; r < ROUNDS; r++) {
  const trie = benchTrie();
  const linear = r === ROUNDS - 1 || r === 0 ? benchLinear() : undefined;
  const perTrie = trie.ns / TOPICS;
  let line = `round ${r + 1}: trie ${perTrie.toFixed(0)} ns/publish (${(1e9 / perTrie / 1e6).toFixed(2)} M matches/s, ${trie.hits} deliveries)`;
  if (linear) {
    if (linear.hits !== trie.hits) throw new Error(`mismatch: trie ${trie.hits} vs linear ${linear.hits}`);
    line += `; linear scan ${(linear.ns / TOPICS / 1000).toFixed(1)} µs/publish (${(linear.ns / trie.ns).toFixed(0)}x slower)`;
  }
  console.log(line);
}
console.log(`${index.size} distinct prefixes, ${PEERS} peers, ${PEERS * PER_PEER} subscriptions`);
