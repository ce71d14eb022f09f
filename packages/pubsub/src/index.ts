/**
 * @monocoque/pubsub — the publish-subscribe sockets of RFC 29 (PUB, SUB, XPUB, XSUB),
 * with subscriptions carried as RFC 37 SUBSCRIBE/CANCEL commands to ZMTP 3.1 peers and as
 * RFC 23 `0x01`/`0x00` messages to ZMTP 3.0 peers. Talks to libzmq and to itself.
 *
 * ```ts
 * import { Publisher, Subscriber } from '@monocoque/pubsub';
 * const pub = new Publisher();
 * await pub.bind('tcp://127.0.0.1:5556');
 * const sub = new Subscriber();
 * sub.connect('tcp://127.0.0.1:5556');
 * sub.subscribe('weather.');
 * await pub.send(['weather.paris', '21°C']); // subscribers that are not yet connected miss it
 * ```
 *
 * See docs/patterns/pub-sub.md for the exact semantics.
 */
export { Publisher, XPublisher, PublisherBase, type PublisherOptions, type XPublisherOptions } from './publisher.js';
export { Subscriber, XSubscriber, SubscriberBase, type SubscriberOptions } from './subscriber.js';
export { SubscriptionIndex, AddResult, RemoveResult } from './trie.js';
export { type PrefixLike, subscriptionMessage } from './subscription.js';
