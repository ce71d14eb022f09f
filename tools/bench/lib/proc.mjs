/**
 * Child processes that speak the benchmark line protocol (one JSON object per stdout
 * line, see worker.mjs). Every child is killed by the runner when its pair is done or
 * a deadline passes, so a hung implementation never hangs the run.
 */
import { spawn } from 'node:child_process';

/**
 * @typedef {{ event: string, [key: string]: unknown }} ProtocolEvent
 */

export class Child {
  /**
   * @param {string} label for error messages, e.g. `zeromq server`
   * @param {string} command
   * @param {string[]} args
   * @param {NodeJS.ProcessEnv} env
   */
  constructor(label, command, args, env) {
    this.label = label;
    /** @type {ProtocolEvent[]} */
    this.events = [];
    /** @type {Array<() => void>} */
    this.waiters = [];
    this.stderr = '';
    /** @type {number | null} */
    this.exitCode = null;
    this.exited = false;
    this.proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        try {
          this.events.push(JSON.parse(line));
        } catch {
          this.events.push({ event: 'log', line });
        }
        this.notify();
      }
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.exitPromise = new Promise((resolve) => {
      this.proc.on('error', (err) => {
        this.stderr += String(err);
        this.exited = true;
        this.notify();
        resolve(null);
      });
      this.proc.on('close', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : null);
        this.exited = true;
        this.notify();
        resolve(code);
      });
    });
  }

  notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Wait for the first event named `name` (or an `error` event, or exit, or timeout).
   * @param {string} name
   * @param {number} timeoutMs
   * @returns {Promise<ProtocolEvent>} the event; rejects with a descriptive error otherwise
   */
  waitFor(name, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.label}: no "${name}" within ${timeoutMs} ms${this.stderrTail()}`));
      }, timeoutMs);
      const check = () => {
        const hit = this.events.find((e) => e.event === name || e.event === 'error');
        if (hit) {
          clearTimeout(timer);
          if (hit.event === 'error') reject(new Error(`${this.label}: ${hit.message}`));
          else resolve(hit);
        } else if (this.exited) {
          clearTimeout(timer);
          reject(new Error(`${this.label}: exited (code ${this.exitCode}) before "${name}"${this.stderrTail()}`));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  /**
   * Wait until the first of several children produces `name` (or fails).
   * @param {Child[]} children
   * @param {string} name
   * @param {number} timeoutMs
   */
  static race(children, name, timeoutMs) {
    return Promise.race(children.map((c) => c.waitFor(name, timeoutMs)));
  }

  stderrTail() {
    const tail = this.stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    return tail ? ` (stderr: ${tail})` : '';
  }

  /**
   * Kill the process (SIGKILL: benchmark peers hold nothing worth a graceful shutdown)
   * and wait until it is gone.
   */
  async kill() {
    if (!this.exited) this.proc.kill('SIGKILL');
    await this.exitPromise;
  }

  /**
   * Ask the process to exit (SIGTERM), and kill it if it has not within `graceMs`.
   * @param {number} graceMs
   */
  async stop(graceMs) {
    if (!this.exited) this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
