/**
 * The subscription index: a byte-wise prefix trie mapping subscription prefixes to their
 * holders (RFC 29 §"The PUB Socket Type": "SHALL ... filter messages by prefix match on
 * the first frame"; libzmq's trie_t / mtrie_t play the same role).
 *
 * Matching a topic walks the trie along the topic's bytes and visits the holders of every
 * node on the path, so a publish costs O(topic length + matching holders) however many
 * subscriptions exist. Nothing is allocated while matching.
 *
 * Holders are counted per prefix: `add(..., counted = true)` twice needs two `remove`s
 * (the SUB side, RFC 37 §"SUBSCRIBE/CANCEL": subscriptions are not idempotent). The
 * PUB/XPUB side uses `counted = false`, a per-holder set, exactly like libzmq's mtrie —
 * because a libzmq SUB sends every SUBSCRIBE upstream but only the last CANCEL.
 */

/** What `add` did. */
export enum AddResult {
  /** Nobody held the prefix before: it is new to the index. */
  NewPrefix = 0,
  /** Others held the prefix already; this holder is new to it. */
  NewHolder = 1,
  /** This holder held the prefix already (its count went up when counted). */
  Duplicate = 2,
}

/** What `remove` did. */
export enum RemoveResult {
  /** The holder did not hold the prefix. */
  NotFound = 0,
  /** The holder was the last one: nobody holds the prefix any more. */
  Last = 1,
  /** The holder no longer holds the prefix; others still do. */
  HolderRemoved = 2,
  /** Counted mode: the holder's count went down but is still above zero. */
  StillHeld = 3,
}

class TrieNode<V> {
  children: Map<number, TrieNode<V>> | undefined;
  holders: V[] | undefined;
  counts: number[] | undefined;

  constructor(
    readonly parent: TrieNode<V> | undefined,
    readonly byte: number,
  ) {}
}

/**
 * A prefix index of subscriptions: `V` is the holder (a pipe on the PUB side, a marker on
 * the SUB side). Prefixes are arbitrary bytes; the empty prefix matches everything.
 */
export class SubscriptionIndex<V> {
  private readonly root = new TrieNode<V>(undefined, -1);
  private readonly byHolder = new Map<V, Set<TrieNode<V>>>();
  private prefixes = 0;

  /** Number of distinct prefixes held by anybody. */
  get size(): number {
    return this.prefixes;
  }

  /** Number of holders with at least one prefix. */
  get holderCount(): number {
    return this.byHolder.size;
  }

  /**
   * Add `prefix` for `holder`. With `counted`, a duplicate raises the holder's count;
   * without, a duplicate changes nothing (set semantics).
   */
  add(prefix: Uint8Array, holder: V, counted = true): AddResult {
    let node = this.root;
    for (let i = 0; i < prefix.length; i++) {
      const byte = prefix[i]!;
      let child = node.children?.get(byte);
      if (child === undefined) {
        child = new TrieNode<V>(node, byte);
        (node.children ??= new Map()).set(byte, child);
      }
      node = child;
    }
    const holders = (node.holders ??= []);
    const counts = (node.counts ??= []);
    const at = holders.indexOf(holder);
    if (at >= 0) {
      if (counted) counts[at]!++;
      return AddResult.Duplicate;
    }
    holders.push(holder);
    counts.push(1);
    let nodes = this.byHolder.get(holder);
    if (nodes === undefined) this.byHolder.set(holder, (nodes = new Set()));
    nodes.add(node);
    if (holders.length === 1) {
      this.prefixes++;
      return AddResult.NewPrefix;
    }
    return AddResult.NewHolder;
  }

  /**
   * Remove `prefix` for `holder`. With `counted`, only the last of the holder's adds
   * really removes it; without, one remove does.
   */
  remove(prefix: Uint8Array, holder: V, counted = true): RemoveResult {
    const node = this.find(prefix);
    const holders = node?.holders;
    if (node === undefined || holders === undefined) return RemoveResult.NotFound;
    const at = holders.indexOf(holder);
    if (at < 0) return RemoveResult.NotFound;
    const counts = node.counts!;
    if (counted && counts[at]! > 1) {
      counts[at]!--;
      return RemoveResult.StillHeld;
    }
    const nodes = this.byHolder.get(holder)!;
    nodes.delete(node);
    if (nodes.size === 0) this.byHolder.delete(holder);
    return this.detach(node, at) ? RemoveResult.Last : RemoveResult.HolderRemoved;
  }

  /**
   * Remove every prefix of `holder` (its peer went away). `visit` is called for each with
   * the prefix and whether the holder was its last one.
   */
  removeHolder(holder: V, visit?: (prefix: Buffer, last: boolean) => void): void {
    const nodes = this.byHolder.get(holder);
    if (nodes === undefined) return;
    this.byHolder.delete(holder);
    for (const node of nodes) {
      const prefix = visit === undefined ? undefined : prefixOf(node);
      const last = this.detach(node, node.holders!.indexOf(holder));
      if (visit !== undefined) visit(prefix!, last);
    }
  }

  /** The holder's count for `prefix` (0 when it does not hold it). */
  count(prefix: Uint8Array, holder: V): number {
    const node = this.find(prefix);
    const at = node?.holders?.indexOf(holder) ?? -1;
    return at < 0 ? 0 : node!.counts![at]!;
  }

  /** Whether anybody holds exactly `prefix`. */
  has(prefix: Uint8Array): boolean {
    return this.find(prefix)?.holders !== undefined;
  }

  /**
   * Call `visit` once per (holder, prefix) pair whose prefix is a prefix of `topic`.
   * A holder with several matching prefixes is visited once per prefix, shortest first;
   * callers de-duplicate (see the epoch stamp in the publisher). Allocates nothing.
   */
  match(topic: Uint8Array, visit: (holder: V) => void): void {
    let node: TrieNode<V> | undefined = this.root;
    let i = 0;
    for (;;) {
      const holders = node.holders;
      if (holders !== undefined) for (let h = 0; h < holders.length; h++) visit(holders[h]!);
      if (i === topic.length) return;
      node = node.children?.get(topic[i++]!);
      if (node === undefined) return;
    }
  }

  /** Whether any prefix held by anybody is a prefix of `topic`. Allocates nothing. */
  matches(topic: Uint8Array): boolean {
    let node: TrieNode<V> | undefined = this.root;
    let i = 0;
    for (;;) {
      if (node.holders !== undefined) return true;
      if (i === topic.length) return false;
      node = node.children?.get(topic[i++]!);
      if (node === undefined) return false;
    }
  }

  /** Every distinct prefix, once each (e.g. to re-send subscriptions to a new peer). */
  prefixList(): Buffer[] {
    const out: Buffer[] = [];
    const stack: Array<TrieNode<V>> = [this.root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (node.holders !== undefined) out.push(prefixOf(node));
      if (node.children !== undefined) for (const child of node.children.values()) stack.push(child);
    }
    return out;
  }

  /** The prefixes `holder` holds. */
  prefixesOf(holder: V): Buffer[] {
    const nodes = this.byHolder.get(holder);
    return nodes === undefined ? [] : [...nodes].map(prefixOf);
  }

  private find(prefix: Uint8Array): TrieNode<V> | undefined {
    let node: TrieNode<V> | undefined = this.root;
    for (let i = 0; i < prefix.length && node !== undefined; i++) node = node.children?.get(prefix[i]!);
    return node;
  }

  /** Drop holder slot `at` of `node`; prune empty nodes. Returns whether the prefix is gone. */
  private detach(node: TrieNode<V>, at: number): boolean {
    const holders = node.holders!;
    const counts = node.counts!;
    const last = holders.length - 1;
    holders[at] = holders[last]!;
    counts[at] = counts[last]!;
    holders.pop();
    counts.pop();
    if (holders.length > 0) return false;
    node.holders = undefined;
    node.counts = undefined;
    this.prefixes--;
    for (let n = node; n.parent !== undefined && n.holders === undefined && (n.children === undefined || n.children.size === 0); ) {
      const parent: TrieNode<V> = n.parent;
      parent.children!.delete(n.byte);
      if (parent.children!.size === 0) parent.children = undefined;
      n = parent;
    }
    return true;
  }
}

function prefixOf<V>(node: TrieNode<V>): Buffer {
  let depth = 0;
  for (let n = node; n.parent !== undefined; n = n.parent) depth++;
  const out = Buffer.allocUnsafe(depth);
  for (let n = node; n.parent !== undefined; n = n.parent) out[--depth] = n.byte;
  return out;
}
