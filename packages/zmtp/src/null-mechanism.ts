/**
 * The NULL mechanism (RFC 23 §"The NULL Security Mechanism"): both peers send READY with
 * their metadata right after the greeting; an ERROR instead of READY rejects us.
 */
import { decodeErrorReason, decodeMetadata, encodeReady } from './command.js';
import { ZmqError } from './errors.js';
import type { Mechanism, MechanismHandshake } from './mechanism.js';

/** The NULL mechanism: no authentication, no encryption. */
export const NULL_MECHANISM: Mechanism = {
  name: 'NULL',
  asServer: false,
  createHandshake(context, callbacks): MechanismHandshake {
    return {
      start() {
        callbacks.send(encodeReady(context.metadata));
      },
      receive(command) {
        if (command.name === 'READY') {
          callbacks.ready(decodeMetadata(command.data));
        } else if (command.name === 'ERROR') {
          const reason = decodeErrorReason(command.data);
          callbacks.fail(new ZmqError('EPROTO', `peer refused the NULL handshake: ${JSON.stringify(reason)}`));
        } else {
          callbacks.fail(new ZmqError('EPROTO', `NULL handshake: expected a READY or ERROR command, got ${JSON.stringify(command.name)}`));
        }
      },
    };
  },
};
