/**
 * A client of QEMU's machine protocol (QMP) over the Unix socket `-qmp unix:PATH,server=on,wait=off`
 * opens: JSON objects one per line. After the greeting it negotiates capabilities; then each
 * command is `{"execute": ..., "arguments": ..., "id": N}` answered by `{"return": ...}` or
 * `{"error": {"class", "desc"}}` with the same id, and events (`DEVICE_DELETED`, `RESET`,
 * `SHUTDOWN`) arrive between answers.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';

export class QmpError extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
  ) {
    super(message);
    this.name = 'QmpError';
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(e: Error): void;
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

export class Qmp extends EventEmitter<{ event: [QmpEvent]; close: [] }> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered = '';
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values())
        p.reject(new QmpError('Closed', 'QEMU closed its machine protocol socket'));
      this.pending.clear();
      this.emit('close');
    });
  }

  /** Connects (retrying while QEMU creates the socket, up to timeoutMs) and negotiates. */
  static async connect(socketPath: string, timeoutMs = 10_000): Promise<Qmp> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(socketPath, () => resolve(s));
          s.once('error', reject);
        });
        const qmp = new Qmp(socket);
        await qmp.greeting();
        await qmp.execute('qmp_capabilities');
        return qmp;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private greetingWaiter?: () => void;

  private greeting(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.greetingWaiter = resolve;
      this.socket.once('close', () => reject(new QmpError('Closed', 'QEMU closed the socket before its greeting')));
    });
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      if (!line) continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if ('QMP' in msg) {
        this.greetingWaiter?.();
        this.greetingWaiter = undefined;
      } else if ('event' in msg) {
        this.emit('event', msg as unknown as QmpEvent);
      } else if (typeof msg.id === 'number') {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        const error = msg.error as { class?: string; desc?: string } | undefined;
        if (error) p?.reject(new QmpError(error.class ?? 'GenericError', error.desc ?? 'QMP error'));
        else p?.resolve(msg.return);
      }
    }
  }

  /** Runs a command and answers its `return`. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new QmpError('Closed', 'the machine protocol socket is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    });
  }

  /** A human monitor command (hostfwd_add, ...), for what QMP has no command of its own for. */
  async human(commandLine: string): Promise<string> {
    const out = await this.execute<string>('human-monitor-command', { 'command-line': commandLine });
    if (out.trim()) throw new QmpError('GenericError', out.trim());
    return out;
  }

  /** Resolves with the first event of this name (and matching data) within timeoutMs. */
  waitFor(event: string, match: (data: Record<string, unknown>) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const listener = (e: QmpEvent) => {
        if (e.event === event && match(e.data ?? {})) done(true);
      };
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.off('event', listener);
        resolve(ok);
      };
      this.on('event', listener);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
