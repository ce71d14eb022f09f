/**
 * The life of one command: the sockets it opened, and SIGINT/SIGTERM handling — a signal
 * closes every socket (pending calls end, queued messages get their linger) and the command
 * exits with 128 + the signal number.
 */
import type { Socket } from '@monocoque/core';
import { EXIT_SIGINT, EXIT_SIGTERM } from './errors.js';

/** Sockets of one command and whether a signal asked it to stop. */
export class Session {
  private readonly sockets = new Set<Socket>();
  /** Set when a signal stopped the command: the exit code to use. */
  interrupted: number | undefined;
  private readonly stopWaiters: Array<() => void> = [];
  private readonly onInt = () => this.stop(EXIT_SIGINT);
  private readonly onTerm = () => this.stop(EXIT_SIGTERM);

  constructor() {
    process.on('SIGINT', this.onInt);
    process.on('SIGTERM', this.onTerm);
  }

  /** Track a socket so that `stop()`/`close()` close it. */
  track<T extends Socket>(socket: T): T {
    this.sockets.add(socket);
    return socket;
  }

  /** Whether a signal stopped the command. */
  get stopped(): boolean {
    return this.interrupted !== undefined;
  }

  /** Resolves when a signal stops the command. */
  whenStopped(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  /** Stop on a signal: close every socket. */
  stop(code: number): void {
    if (this.interrupted === undefined) this.interrupted = code;
    this.closeSockets();
    for (const w of this.stopWaiters.splice(0)) w();
  }

  private closeSockets(): void {
    for (const s of this.sockets) s.close();
  }

  /**
   * Close every socket and remove the signal handlers. After a failure (`discard`), queued
   * messages are dropped (linger 0) instead of holding the process for the linger period.
   */
  close(discard = false): void {
    if (discard) for (const s of this.sockets) if (!s.closed) s.linger = 0;
    this.closeSockets();
    process.off('SIGINT', this.onInt);
    process.off('SIGTERM', this.onTerm);
    for (const w of this.stopWaiters.splice(0)) w();
  }
}
