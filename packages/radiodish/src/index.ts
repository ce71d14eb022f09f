/**
 * @monocoque/radiodish — libzmq 4.3's draft RADIO and DISH sockets (RFC 48/RADIO-DISH):
 * group messaging with exact group matching, joins carried as ZMTP JOIN/LEAVE commands.
 * Talks to libzmq built with draft APIs (npm `zeromq`'s `zeromq/draft`) and to itself.
 *
 * ```ts
 * import { Dish, Radio } from '@monocoque/radiodish';
 * const radio = new Radio();
 * await radio.bind('tcp://127.0.0.1:5556');
 * const dish = new Dish();
 * dish.connect('tcp://127.0.0.1:5556');
 * dish.join('weather.paris');
 * await radio.send('21°C', { group: 'weather.paris' }); // dishes not yet joined miss it
 * const [body, { group }] = await dish.receive();
 * ```
 *
 * See docs/patterns/radiodish.md for the exact semantics. Only tcp://, ipc:// and
 * inproc:// are supported; udp:// is refused with EPROTONOSUPPORT.
 */
export { Radio, type RadioOptions, type RadioSendOptions } from './radio.js';
export { Dish, type DishMessage, type DishOptions } from './dish.js';
export { GROUP_MAX_LENGTH, type GroupLike } from './group.js';
