/**
 * The NULL mechanism (RFC 23 §"The NULL Security Mechanism"): both peers send READY with
 * their metadata right after the greeting; an ERROR instead of READY rejects us.
 *
 * With a ZAP domain set, as libzmq does, we ask the ZAP handler (mechanism `NULL`, no
 * credentials) before sending READY, so an authenticator can allow or deny by address;
 * no installed handler lets the peer in.
 */
import { type Metadata, decodeErrorReason, decodeMetadata, encodeReady } from './command.js';
import { ZmqError } from './errors.js';
import { type HandshakeIdentity, type Mechanism, type MechanismHandshake, peerRefusal, zapRefusal } from './mechanism.js';

/** The NULL mechanism: no authentication, no encryption. */
export const NULL_MECHANISM: Mechanism = {
  name: 'NULL',
  asServer: false,
  createHandshake(context, callbacks): MechanismHandshake {
    let approved = false;
    let identity: HandshakeIdentity | undefined;
    let peerReady: Metadata | undefined;
    const approve = (): void => {
      approved = true;
      callbacks.send(encodeReady(context.metadata));
      if (peerReady !== undefined) callbacks.ready(peerReady, identity);
    };
    return {
      start() {
        if (context.zapDomain === '') {
          approve();
          return;
        }
        callbacks.authenticate('NULL', [], (verdict) => {
          if (verdict === undefined || verdict.status === 200) {
            if (verdict !== undefined) identity = { userId: verdict.userId, zapMetadata: verdict.metadata };
            approve();
            return;
          }
          const { error, failure } = zapRefusal('NULL', verdict);
          callbacks.fail(error, failure);
        });
      },
      receive(command) {
        if (command.name === 'READY' && peerReady === undefined) {
          peerReady = decodeMetadata(command.data);
          if (approved) callbacks.ready(peerReady, identity);
        } else if (command.name === 'ERROR') {
          callbacks.fail(peerRefusal('NULL', decodeErrorReason(command.data)));
        } else {
          callbacks.fail(new ZmqError('EPROTO', `NULL handshake: expected a READY or ERROR command, got ${JSON.stringify(command.name)}`));
        }
      },
    };
  },
};
