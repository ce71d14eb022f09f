// ZmqError: stable codes, libzmq errnos (Linux), ZAP status, and a brand that works across copies of the package.
import { describe, expect, it } from 'vitest';
import { ERRNO, type ErrorCode, ZmqError, errnoOf, isZmqError } from '../src/index.js';

type ErrorsModule = typeof import('../src/errors.js');

/** A second, independent instance of the errors module (its own `ZmqError` class). */
async function secondCopy(): Promise<ErrorsModule> {
  // A query string makes Vite treat the file as a different module: it is evaluated again.
  const specifier = '../src/errors.ts?second-copy';
  return (await import(/* @vite-ignore */ specifier)) as ErrorsModule;
}

// Linux <asm-generic/errno.h> values, and libzmq's ZMQ_HAUSNUMERO (156384712) + 51/52/53.
const EXPECTED: Record<ErrorCode, number> = {
  ENOENT: 2,
  EBADF: 9,
  EAGAIN: 11,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EINVAL: 22,
  EMFILE: 24,
  EPIPE: 32,
  EPROTO: 71,
  EMSGSIZE: 90,
  EPROTONOSUPPORT: 93,
  ENOTSUP: 95,
  EADDRINUSE: 98,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  ECANCELED: 125,
  EFSM: 156384763,
  ENOCOMPATPROTO: 156384764,
  ETERM: 156384765,
};

describe('errno', () => {
  it('ERRNO maps every code to libzmq errno on Linux, and nothing else', () => {
    expect({ ...ERRNO }).toEqual(EXPECTED);
  });

  it('ERRNO is frozen', () => {
    expect(Object.isFrozen(ERRNO)).toBe(true);
    expect(() => {
      (ERRNO as Record<string, number>).EAGAIN = 1;
    }).toThrow(TypeError);
    expect(ERRNO.EAGAIN).toBe(11);
  });

  it.each(Object.entries(EXPECTED))('%s: errnoOf and ZmqError.errno are %i', (code, errno) => {
    expect(errnoOf(code)).toBe(errno);
    expect(new ZmqError(code as ErrorCode, 'x').errno).toBe(errno);
  });

  it('errnoOf is undefined for names that are not codes, including inherited properties', () => {
    expect(errnoOf('EWHATEVER')).toBeUndefined();
    expect(errnoOf('toString')).toBeUndefined();
    expect(errnoOf('__proto__')).toBeUndefined();
  });
});

describe('ZmqError', () => {
  it('keeps the constructor signature: code, message, cause, address', () => {
    const cause = new Error('underlying');
    const e = new ZmqError('ECONNREFUSED', 'connect failed', { cause, address: 'tcp://127.0.0.1:1' });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ZmqError');
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.errno).toBe(111);
    expect(e.message).toBe('connect failed');
    expect(e.cause).toBe(cause);
    expect(e.address).toBe('tcp://127.0.0.1:1');
    expect(String(e)).toBe('ZmqError: connect failed');
    expect(new ZmqError('EAGAIN', 'm').cause).toBeUndefined();
    expect('cause' in new ZmqError('EAGAIN', 'm')).toBe(false);
  });

  it('stores a ZAP status only when given', () => {
    const denied = new ZmqError('EACCES', 'ZAP denied', { status: 400 });
    expect(denied.status).toBe(400);
    expect(Object.keys(denied)).toContain('status');
    const plain = new ZmqError('EACCES', 'no status');
    expect(plain.status).toBeUndefined();
    expect('status' in plain).toBe(false);
  });

  it('carries a non-enumerable global-symbol brand', () => {
    const e = new ZmqError('EPROTO', 'bad');
    const brand = Symbol.for('monocoque.ZmqError');
    expect((e as unknown as Record<symbol, unknown>)[brand]).toBe(true);
    expect(Object.prototype.propertyIsEnumerable.call(e, brand)).toBe(false);
    expect(Object.keys(e)).not.toContain(brand.toString());
    expect(Object.getOwnPropertySymbols({ ...e })).not.toContain(brand);
  });

  it('isZmqError and instanceof check the brand, not the class', () => {
    expect(isZmqError(new ZmqError('EINVAL', 'x'))).toBe(true);
    const lookalike = Object.assign(new Error('x'), { code: 'EINVAL', errno: 22 });
    expect(isZmqError(lookalike)).toBe(false);
    expect(lookalike instanceof ZmqError).toBe(false);
    for (const v of [null, undefined, 0, 'EINVAL', {}, () => 0]) {
      expect(isZmqError(v)).toBe(false);
      expect(v instanceof ZmqError).toBe(false);
    }
    const branded = { [Symbol.for('monocoque.ZmqError')]: true };
    expect(isZmqError(branded)).toBe(true);
    expect(branded instanceof ZmqError).toBe(true);
  });

  it('subclasses: instances are ZmqErrors; instanceof the subclass follows the prototype chain', () => {
    class AuthError extends ZmqError {
      constructor(status: number) {
        super('EACCES', `denied (${status})`, { status });
      }
    }
    class OtherError extends ZmqError {}
    const a = new AuthError(400);
    expect(a instanceof ZmqError).toBe(true);
    expect(isZmqError(a)).toBe(true);
    expect(a instanceof AuthError).toBe(true);
    expect(a instanceof OtherError).toBe(false);
    expect(new ZmqError('EACCES', 'x') instanceof AuthError).toBe(false);
    expect(a.status).toBe(400);
    expect(a.errno).toBe(13);
  });
});

describe('across copies of the package', () => {
  it('a second copy of the module really is a different class', async () => {
    const copy = await secondCopy();
    expect(copy.ZmqError).not.toBe(ZmqError);
    const theirs = new copy.ZmqError('ETERM', 'terminated');
    // The ordinary prototype check fails across copies: this is what the brand is for.
    expect(Object.getPrototypeOf(theirs)).not.toBe(ZmqError.prototype);
    expect(Function.prototype[Symbol.hasInstance].call(ZmqError, theirs)).toBe(false);
  });

  it('isZmqError and instanceof recognise errors of the other copy, both ways', async () => {
    const copy = await secondCopy();
    const theirs = new copy.ZmqError('ETERM', 'terminated', { address: 'inproc://x' });
    const ours = new ZmqError('EHOSTUNREACH', 'no peer');
    expect(isZmqError(theirs)).toBe(true);
    expect(theirs instanceof ZmqError).toBe(true);
    expect(copy.isZmqError(ours)).toBe(true);
    expect(ours instanceof copy.ZmqError).toBe(true);
    expect(theirs.errno).toBe(156384765);
    expect(errnoOf(theirs.code)).toBe(theirs.errno);
    expect(copy.ERRNO).toEqual(ERRNO);
  });
});
