/**
 * node:net reads into a caller's buffer (`onread`) for the bench's floor sockets, as
 * Monocoque's node:net transport reads on Node.js. `net.Server` cannot give accepted sockets
 * `onread`, so an accepted socket's handle moves to a new `net.Socket` that has it (the old
 * one lets go of the handle, then is destroyed).
 */
import net from 'node:net';

/**
 * @param {net.Socket} accepted a socket from a `net.Server`'s connection event
 * @param {{ buffer: Uint8Array, callback: (n: number, buf: Buffer) => boolean | void }} onread
 * @returns {net.Socket} the socket reading into `onread.buffer`
 */
export function adoptWithOnread(accepted, onread) {
  const internal = /** @type {any} */ (accepted);
  const handle = internal._handle;
  if (handle === null || typeof handle !== 'object') throw new Error('bench floor: the accepted socket has no handle where this Node.js keeps it');
  internal._handle = null;
  accepted.destroy();
  return new net.Socket(/** @type {any} */ ({ handle, readable: true, writable: true, onread }));
}
