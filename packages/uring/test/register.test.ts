/** The `./register` side-effect entry. */
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

/** Load the entry as a fresh process would: new module instances and no registered transports. */
async function freshRegister(): Promise<typeof import('@monocoque/core')> {
  vi.resetModules();
  // The registry lives in the process-wide runtime (shared by every copy of core on purpose).
  const runtime = (globalThis as Record<symbol, { transports?: unknown } | undefined>)[Symbol.for('monocoque.runtime.v1')];
  if (runtime !== undefined) delete runtime.transports;
  await import('../src/register.js');
  return import('@monocoque/core');
}

describe('@monocoque/uring/register', () => {
  it('registers "uring" when the addon loads, and MONOCOQUE_TRANSPORT=uring selects it', async () => {
    vi.stubEnv('MONOCOQUE_TRANSPORT', 'uring');
    const core = await freshRegister();
    const { isUringAvailable } = await import('../src/index.js');
    if (!isUringAvailable()) {
      console.warn('[@monocoque/uring] addon unavailable: only the fallback path is checked');
      expect(core.registeredTransports()).not.toContain('uring');
      expect(core.getDefaultTransport().name).toBe('net');
      return;
    }
    expect(core.registeredTransports()).toContain('uring');
    expect(core.getDefaultTransport().name).toBe('uring');
  });

  it('leaves node:net in place and prints one debug line only when asked', async () => {
    vi.stubEnv('MONOCOQUE_URING_DISABLE', '1');
    vi.stubEnv('MONOCOQUE_TRANSPORT', 'uring');
    vi.stubEnv('MONOCOQUE_DEBUG', '');
    vi.stubEnv('NODE_DEBUG', '');
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let core = await freshRegister();
    expect(core.registeredTransports()).not.toContain('uring');
    expect(write.mock.calls.filter((c) => String(c[0]).includes('io_uring'))).toHaveLength(0);

    vi.stubEnv('NODE_DEBUG', 'net,monocoque');
    write.mockClear();
    core = await freshRegister();
    const lines = write.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('io_uring'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^MONOCOQUE \d+: io_uring transport not registered \(disabled by MONOCOQUE_URING_DISABLE\); using node:net\n$/);
    expect(core.getDefaultTransport().name).toBe('net');
  });
});
