/**
 * The digests of a request body (its MD5, which is the ETag, the SHA-256 a SigV4 request declares,
 * the additional checksum it asks for), computed off the event loop: hashing a large body on the
 * thread that also reads the socket and feeds the disk held a single upload to about half the
 * disk's rate. A small body (under BATCH) is hashed where it is, as a round trip to a worker
 * would cost more than the hashing; a larger one goes in batches to a worker thread
 * (digest-worker.ts) while the writer goes on, and `finish()` waits for the worker's answer.
 */
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ChecksumAlgorithm, type Checksummer, createChecksummer } from './checksums';

/** What a body's digests are asked for. */
export interface DigestRequest {
  sha256?: boolean;
  checksum?: ChecksumAlgorithm;
}

export interface BodyDigests {
  md5: Buffer;
  sha256?: string;
  /** Base64, as x-amz-checksum-* carries it. */
  checksum?: string;
}

/** The messages a digest worker takes (see digest-worker.ts) and gives back. */
export type ToWorker =
  | { type: 'open'; id: number; request: DigestRequest }
  | { type: 'update'; id: number; bytes: Uint8Array }
  | { type: 'finish'; id: number }
  | { type: 'abandon'; id: number };
export type FromWorker =
  | { type: 'updated'; id: number; bytes: Uint8Array }
  | { type: 'digests'; id: number; md5: Uint8Array; sha256?: string; checksum?: string };

/** Bytes are gathered into messages of this size; a body shorter than this never leaves the thread. */
const BATCH = 1024 * 1024;
/** The most bytes a body may have at its worker, not yet hashed, before update() makes it wait. */
const IN_FLIGHT = 4 * BATCH;

/** The digest state of one body on this thread (small bodies, and the fallback). */
class LocalDigests {
  private readonly md5: Hash = createHash('md5');
  private readonly sha256?: Hash;
  private readonly summer?: Checksummer;

  constructor(request: DigestRequest) {
    if (request.sha256) this.sha256 = createHash('sha256');
    if (request.checksum) this.summer = createChecksummer(request.checksum);
  }

  update(piece: Uint8Array): void {
    this.md5.update(piece);
    this.sha256?.update(piece);
    this.summer?.update(piece as Buffer);
  }

  digests(): BodyDigests {
    return { md5: this.md5.digest(), sha256: this.sha256?.digest('hex'), checksum: this.summer?.digest() };
  }
}

interface Pending {
  resolve(d: BodyDigests): void;
  reject(e: Error): void;
  drained?: () => void;
  inFlight: number;
}

/** One worker thread and the bodies it hashes. */
class DigestWorker {
  private readonly worker: Worker;
  private readonly bodies = new Map<number, Pending>();
  failed?: Error;

  constructor(script: string) {
    this.worker = new Worker(script);
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'updated') giveBuffer(new Uint8Array(m.bytes.buffer));
      const body = this.bodies.get(m.id);
      if (!body) return;
      if (m.type === 'updated') {
        body.inFlight -= m.bytes.byteLength;
        if (body.inFlight <= IN_FLIGHT / 2) body.drained?.();
        return;
      }
      this.forget(m.id);
      body.resolve({ md5: Buffer.from(m.md5), sha256: m.sha256, checksum: m.checksum });
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const body of this.bodies.values()) {
        body.reject(e);
        body.drained?.();
      }
      this.bodies.clear();
      this.worker.unref();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the digest worker exited (${code})`)));
    // An idle worker never keeps the process running (unref after the listeners, which ref it).
    this.worker.unref();
  }

  /** A body starts: the process waits for the worker while any body is under way. */
  open(id: number, pending: Pending, request: DigestRequest): void {
    if (!this.bodies.size) this.worker.ref();
    this.bodies.set(id, pending);
    this.post({ type: 'open', id, request });
  }

  /** A body is done or abandoned. */
  forget(id: number): void {
    this.bodies.delete(id);
    if (!this.bodies.size) this.worker.unref();
  }

  post(m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(m, transfer);
  }
}

/** The worker script: bundled beside the cloud (dist/digest-worker.js), or compiled beside this file. */
function workerScript(): string | undefined {
  const script = path.join(__dirname, 'digest-worker.js');
  return fs.existsSync(script) ? script : undefined;
}

/** The process's digest workers, started when a large body first needs one. */
class DigestPool {
  private workers: DigestWorker[] = [];
  private next = 0;
  private ids = 0;
  private readonly size = Math.max(1, Math.min(4, Math.floor(os.availableParallelism() / 2)));
  private readonly script = workerScript();

  /** A worker for a new body, or undefined where none can run (then the body is hashed here). */
  take(): { worker: DigestWorker; id: number } | undefined {
    if (!this.script) return undefined;
    this.workers = this.workers.filter((w) => !w.failed);
    if (this.workers.length < this.size) this.workers.push(new DigestWorker(this.script));
    const worker = this.workers[this.next++ % this.workers.length];
    return { worker, id: ++this.ids };
  }
}

const pool = new DigestPool();

/** Batch buffers back from the workers, kept for the next bodies (a few: idle, they are memory). */
const spare: Uint8Array[] = [];
const SPARE = 8;
const takeBuffer = () => spare.pop() ?? new Uint8Array(BATCH);
function giveBuffer(buffer: Uint8Array): void {
  if (buffer.byteLength === BATCH && spare.length < SPARE) spare.push(buffer);
}

/**
 * The digests of one body as it streams: update() with every piece in order (awaiting it when it
 * returns a promise: the worker is behind), then finish(); or abandon() when the body fails
 * half-way. Bytes are copied into BATCH-sized buffers that go to the worker and come back to be
 * used again, so a body holds at most IN_FLIGHT of them however fast it arrives.
 */
export class DigestStream {
  private local?: LocalDigests;
  private remote?: { worker: DigestWorker; id: number; pending: Pending; done: Promise<BodyDigests> };
  /** Taken when the body first needs one (a tiny body never does). */
  private buffer?: Uint8Array;
  private filled = 0;

  constructor(private readonly request: DigestRequest) {}

  update(piece: Buffer): Promise<void> | undefined {
    if (this.local) {
      this.local.update(piece);
      return undefined;
    }
    if (this.remote?.worker.failed) throw this.remote.worker.failed;
    let behind: Promise<void> | undefined;
    for (let at = 0; at < piece.length;) {
      const n = Math.min(BATCH - this.filled, piece.length - at);
      this.buffer ??= takeBuffer();
      this.buffer.set(piece.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === BATCH) behind = this.send() ?? behind;
      // send() falls back to hashing here when no worker can run.
      const local = this.local as LocalDigests | undefined;
      if (local) {
        local.update(piece.subarray(at));
        break;
      }
    }
    return behind;
  }

  /** Hands the filled buffer to the worker (the first time, opens the body there). */
  private send(): Promise<void> | undefined {
    const bytes = this.buffer!.subarray(0, this.filled);
    this.filled = 0;
    if (!this.remote) {
      const taken = pool.take();
      if (!taken) {
        this.local = new LocalDigests(this.request);
        this.local.update(bytes);
        return undefined;
      }
      let pending!: Pending;
      const done = new Promise<BodyDigests>((resolve, reject) => {
        pending = { resolve, reject, inFlight: 0 };
      });
      // A body abandoned half-way is never awaited: its failure is not an unhandled rejection.
      done.catch(() => undefined);
      taken.worker.open(taken.id, pending, this.request);
      this.remote = { ...taken, pending, done };
    }
    const { worker, id, pending } = this.remote;
    if (worker.failed) throw worker.failed;
    pending.inFlight += bytes.length;
    worker.post({ type: 'update', id, bytes }, [bytes.buffer as ArrayBuffer]);
    this.buffer = undefined;
    if (pending.inFlight <= IN_FLIGHT) return undefined;
    return new Promise<void>((resolve) => {
      pending.drained = () => {
        pending.drained = undefined;
        resolve();
      };
    }).then(() => (worker.failed ? Promise.reject(worker.failed) : undefined));
  }

  async finish(): Promise<BodyDigests> {
    if (!this.remote) {
      this.local ??= new LocalDigests(this.request);
      if (this.buffer) {
        this.local.update(this.buffer.subarray(0, this.filled));
        giveBuffer(this.buffer);
      }
      return this.local.digests();
    }
    if (this.filled) await this.send();
    if (this.buffer) giveBuffer(this.buffer);
    this.remote.worker.post({ type: 'finish', id: this.remote.id });
    return this.remote.done;
  }

  /** The body failed half-way: its worker forgets it. */
  abandon(): void {
    if (this.buffer) giveBuffer(this.buffer);
    this.buffer = undefined;
    if (!this.remote) return;
    this.remote.worker.forget(this.remote.id);
    this.remote.worker.post({ type: 'abandon', id: this.remote.id });
  }
}
