/**
 * From rules to a ZAP handler ({@link createZapHandler}), and the installed, observable
 * authenticator ({@link startAuthenticator}).
 */
import { EventEmitter } from 'node:events';
import { type ZapReply, type ZapRequest, type ZapStatus, ZmqError, installZapHandler } from '@monocoque/core';
import { allowAddresses, allowDomains, allowNull, chain, curveAny, curveKeys, denyAddresses, plainPasswords, undecided } from './rules.js';
import type { Authenticator, AuthenticatorConfig, CheckResult, Verdict, ZapDecision } from './types.js';

const CONFIG_KEYS: ReadonlySet<string> = new Set(['domain', 'addresses', 'plain', 'curve', 'use']);
const STATUSES: ReadonlySet<unknown> = new Set([200, 300, 400, 500]);
const DEFAULT_TEXT: Readonly<Record<ZapStatus, string>> = { 200: 'OK', 300: 'Temporary failure', 400: 'No access', 500: 'Internal error' };

/** The handler {@link createZapHandler} builds: a {@link ZapHandler} that always resolves, with a numeric status. */
export type ZapAuthHandler = (request: ZapRequest) => Promise<ZapReply & { readonly statusCode: ZapStatus }>;

/** Options of {@link createZapHandler}. */
export interface ZapHandlerOptions {
  /** Called with every answered request (for logging, metrics and tests); its errors are ignored. */
  readonly onDecision?: (decision: ZapDecision) => void;
}

/**
 * Turn a declarative configuration into its chain of authenticators (in the order
 * {@link AuthenticatorConfig} documents). Throws `EINVAL` naming the first problem.
 */
export function authenticatorsOf(config: AuthenticatorConfig): Authenticator[] {
  if (typeof config !== 'object' || config === null) throw new ZmqError('EINVAL', `authenticator config: expected an object, got ${config === null ? 'null' : typeof config}`);
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.has(key)) throw new ZmqError('EINVAL', `authenticator config: unknown option ${JSON.stringify(key)} (expected domain, addresses, plain, curve or use)`);
  }
  const rules: Authenticator[] = [];
  if (config.domain !== undefined) rules.push(allowDomains(config.domain));
  const addresses = config.addresses as { allow?: unknown; deny?: unknown } | undefined;
  if (addresses !== undefined) {
    if (typeof addresses !== 'object' || addresses === null) {
      throw new ZmqError('EINVAL', `addresses: expected { allow: [...] } or { deny: [...] }, got ${addresses === null ? 'null' : typeof addresses}`);
    }
    const hasAllow = addresses.allow !== undefined;
    const hasDeny = addresses.deny !== undefined;
    if (hasAllow && hasDeny) {
      throw new ZmqError('EINVAL', 'addresses: expected either an allow list or a deny list, got both (with an allow list every other address is refused already)');
    }
    if (!hasAllow && !hasDeny) throw new ZmqError('EINVAL', 'addresses: expected { allow: [...] } or { deny: [...] }, got neither');
    rules.push(hasAllow ? allowAddresses(addresses.allow as string[]) : denyAddresses(addresses.deny as string[]));
  }
  if (config.use !== undefined) {
    if (!Array.isArray(config.use)) throw new ZmqError('EINVAL', `use: expected an array of authenticator functions, got ${typeof config.use}`);
    config.use.forEach((a, i) => {
      if (typeof a !== 'function') throw new ZmqError('EINVAL', `use: expected authenticator ${i} to be a function, got ${typeof a}`);
    });
    rules.push(...config.use);
  }
  rules.push(allowNull());
  if (config.plain !== undefined) rules.push(plainPasswords(config.plain));
  if (config.curve !== undefined) {
    if (typeof config.curve === 'string' && config.curve !== 'any') {
      throw new ZmqError('EINVAL', `curve: expected an array of public keys, 'any' or a function, got the string ${JSON.stringify((config.curve as string).slice(0, 60))}`);
    }
    rules.push(config.curve === 'any' ? curveAny() : curveKeys(config.curve));
  }
  return rules;
}

/** Validate a rule's result and turn it into the reply for `request`. */
function replyOf(request: ZapRequest, result: CheckResult): ZapReply & { statusCode: ZapStatus } {
  const verdict: Verdict = result === true ? { status: 200 } : result === false ? { status: 400 } : result;
  if (typeof verdict !== 'object' || verdict === null) {
    throw new TypeError(`expected a rule to return a boolean, a verdict object or undefined, got ${verdict === null ? 'null' : typeof verdict}`);
  }
  const status = verdict.status ?? 200;
  if (!STATUSES.has(status)) throw new TypeError(`expected a verdict status of 200, 300, 400 or 500, got ${JSON.stringify(status)}`);
  if (verdict.userId !== undefined && typeof verdict.userId !== 'string') throw new TypeError(`expected a string userId, got ${typeof verdict.userId}`);
  if (verdict.text !== undefined && typeof verdict.text !== 'string') throw new TypeError(`expected a string text, got ${typeof verdict.text}`);
  const reply: ZapReply & { statusCode: ZapStatus } = {
    version: '1.0',
    requestId: request.requestId,
    statusCode: status,
    statusText: verdict.text ?? DEFAULT_TEXT[status],
    userId: status === 200 ? (verdict.userId ?? '') : '',
    ...(status === 200 && verdict.metadata !== undefined ? { metadata: verdict.metadata } : {}),
  };
  return reply;
}

/**
 * Build a ZAP handler (for `installZapHandler`, or to call directly in tests) from a
 * declarative {@link AuthenticatorConfig} or from a list of authenticators run in order.
 * With a list, nothing is implied: a request no authenticator decides is refused (400),
 * NULL clients included (add {@link allowNull} to let them in).
 *
 * The handler always resolves, with a reply that echoes the request id: a rule that throws,
 * rejects or returns something malformed answers 500 with the reason in the status text.
 * Throws `EINVAL` at once for a bad configuration.
 */
export function createZapHandler(config: AuthenticatorConfig | readonly Authenticator[], options: ZapHandlerOptions = {}): ZapAuthHandler {
  const rules = Array.isArray(config) ? [...(config as readonly Authenticator[])] : authenticatorsOf(config as AuthenticatorConfig);
  const run = chain(...rules);
  const onDecision = options.onDecision;
  return async (request) => {
    let reply: ZapReply & { statusCode: ZapStatus };
    let error: unknown;
    try {
      reply = replyOf(request, (await run(request)) ?? undecided(request));
    } catch (e) {
      error = e;
      reply = {
        version: '1.0',
        requestId: request.requestId,
        statusCode: 500,
        statusText: `Internal error: ${e instanceof Error ? e.message : String(e)}`,
        userId: '',
      };
    }
    if (onDecision !== undefined) {
      try {
        onDecision(error === undefined ? { request, reply } : { request, reply, error });
      } catch {
        // An observer's bug must not change the answer.
      }
    }
    return reply;
  };
}

/** Events of a {@link ZapAuthenticator}. */
export interface ZapAuthenticatorEvents {
  /** A request was answered. */
  decision: [decision: ZapDecision];
}

/**
 * An installed authenticator (see {@link startAuthenticator}). It emits `decision` for
 * every answered request and counts them in {@link ZapAuthenticator.requests}.
 */
export class ZapAuthenticator extends EventEmitter<ZapAuthenticatorEvents> {
  /** The handler this authenticator installed (a pure function of a request). */
  readonly handler: ZapAuthHandler;
  private readonly uninstall: () => void;
  private readonly pending = new Set<Promise<unknown>>();
  private answered = 0;
  private live = true;

  /**
   * Validate `config` and install it as the process's ZAP handler: the same as
   * {@link startAuthenticator} (`EINVAL` for a bad configuration, `EADDRINUSE` when a
   * handler is installed already).
   */
  constructor(config: AuthenticatorConfig | readonly Authenticator[]) {
    super();
    const decide = createZapHandler(config, {
      onDecision: (decision) => {
        this.answered++;
        this.emit('decision', decision);
      },
    });
    this.handler = (request) => {
      const answer = decide(request);
      this.pending.add(answer);
      void answer.finally(() => this.pending.delete(answer));
      return answer;
    };
    this.uninstall = installZapHandler(this.handler);
  }

  /** How many requests this authenticator has answered. */
  get requests(): number {
    return this.answered;
  }

  /** Whether it is still installed. */
  get running(): boolean {
    return this.live;
  }

  /**
   * Uninstall: later handshakes are not asked (PLAIN servers then refuse everyone, CURVE
   * servers accept any client with the server key, NULL servers accept everyone). Resolves
   * once the requests already being decided are answered. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.live) {
      this.live = false;
      this.uninstall();
    }
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

/**
 * Install an authenticator as the process's ZAP handler. `config` is a declarative
 * {@link AuthenticatorConfig} or a list of authenticators (see {@link createZapHandler}).
 * Throws `EINVAL` for a bad configuration and `EADDRINUSE` when a ZAP handler is already
 * installed (one per process, as libzmq allows one per context); `stop()` it to install
 * another.
 *
 * ```ts
 * const auth = startAuthenticator({ addresses: { allow: ['127.0.0.1'] }, plain: { admin: 'secret' } });
 * auth.on('decision', ({ request, reply }) => console.log(request.mechanism, request.address, reply.statusCode));
 * // ...
 * await auth.stop();
 * ```
 */
export function startAuthenticator(config: AuthenticatorConfig | readonly Authenticator[]): ZapAuthenticator {
  return new ZapAuthenticator(config);
}
