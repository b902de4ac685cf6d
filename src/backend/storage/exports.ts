/**
 * Volumes served to node controllers over the network (VOLUME_EXPORT="nbd"): each attached volume
 * is exported by its own `qemu-nbd` (Debian's qemu-utils), with TLS and a pre-shared key that
 * belongs to its attachment alone. The key is the cluster key's HMAC of the attachment's identity
 * (nc-protocol's exportKey): the node derives the same one and the key never travels; a node, or
 * anybody else, without it cannot open the export, nor open it under another attachment's name.
 * Detaching ends the export.
 *
 * Exports outlive the front end that started them (a crash of the control plane must not take the
 * disks from under running guests): each is a daemon whose state is kept in DIR/<volume-id>/
 * (export.json, keys.psk 0600, qemu-nbd.pid, log), and a front end starting again keeps those of
 * attached volumes, serves again those whose daemon died (same port and key: the guests' QEMU
 * reconnects), and ends those whose volume is no longer attached.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportKey, type NbdExport } from '../../shared/nc-protocol';
import { onPath, writeFileAtomic, writeSecretFile } from '../../shared/files';
import { CliError } from '../../shared/errors';
import { freePort } from '../../shared/daemon';

export const QEMU_NBD = 'qemu-nbd';

/** What DIR/<volume-id>/export.json holds: the export, the attachment it was made for, and where it runs. */
interface ExportState extends NbdExport {
  attachment: string;
  /** The host whose qemu-nbd serves it: only a front end there can stop or restart it. */
  owner: string;
}

/** This host, as export.json names it (a reboot keeps it: its exports are served again after one). */
const THIS_HOST = os.hostname();

/** How long a folder is left alone by reconcile() after it changed: an export in the making. */
const SETTLING_MS = 60_000;

/** How often each front end looks after its host's exports (ending those of detached volumes). */
export const RECONCILE_MS = 30_000;

/** The attached volumes: volume ID → its file and its attachment's name. */
export type Attached = Map<string, { file: string; attachment: string }>;

export interface VolumeExportsOptions {
  /** Where the exports' state is kept (a folder each). */
  dir: string;
  /** The key shared with the node controllers. */
  clusterKey: string;
  /** The address exports listen on and node controllers reach (the front end's own). */
  host(): string;
  log(line: string): void;
}

export class VolumeExports {
  private readonly binary: string;
  /** One start or stop at a time per volume. */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(private readonly o: VolumeExportsOptions) {
    const found = onPath(QEMU_NBD);
    if (!found)
      throw new CliError(
        'InvalidConfiguration',
        `VOLUME_EXPORT="nbd" needs ${QEMU_NBD} (apt-get install qemu-utils), or set VOLUME_EXPORT="file"`,
      );
    this.binary = found;
    fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  }

  /**
   * The export of a volume's file for one attachment (named by the caller: the same attachment
   * finds its export again, a new one gets a new identity and key).
   */
  export(volumeId: string, file: string, attachment: string): Promise<NbdExport> {
    return this.serially(volumeId, async () => {
      const now = this.state(volumeId);
      if (now?.attachment === attachment) {
        if (now.owner === THIS_HOST && !this.running(volumeId)) await this.serve(volumeId, file, now);
        return this.public(now);
      }
      // Another attachment's export still served elsewhere: never two writers of one volume.
      if (now && now.owner !== THIS_HOST)
        throw new Error(`${volumeId} is still exported by ${now.owner}, which ends it within a minute; try again then`);
      if (now) await this.stop(volumeId, now);
      const state: ExportState = {
        host: this.o.host(),
        port: 0,
        name: volumeId,
        identity: `${attachment}.${randomBytes(8).toString('hex')}`,
        attachment,
        owner: THIS_HOST,
      };
      await this.serve(volumeId, file, state);
      this.o.log(`${volumeId}: exported at nbd://${state.host}:${state.port}/${volumeId} for ${attachment}`);
      return this.public(state);
    });
  }

  /** Ends a volume's export, if it has one; never fails (what it could not end is said, and reconcile ends it). */
  unexport(volumeId: string): Promise<void> {
    return this.serially(volumeId, async () => {
      if (!fs.existsSync(this.folder(volumeId))) return;
      if (await this.stop(volumeId, this.state(volumeId))) this.o.log(`${volumeId}: export ended`);
    }).catch((e: Error) => this.o.log(`${volumeId}: its export could not be ended yet: ${e.message}`));
  }

  /**
   * Looks after this host's exports (at start, then every RECONCILE_MS): those of volumes still
   * attached (`attached()`: volume ID → its file and attachment, read after the folders, so that
   * an export listed was recorded before) are kept, or served again where their daemon died; the
   * others end. A folder that changed within `settlingMs` (a minute, unless no other front end
   * runs) may be an export in the making, and is left alone.
   */
  async reconcile(attached: () => Promise<Attached>, settlingMs = SETTLING_MS): Promise<void> {
    const isSettled = (volumeId: string) => {
      try {
        return Date.now() - fs.statSync(this.folder(volumeId)).mtimeMs >= settlingMs;
      } catch {
        return false;
      }
    };
    const settled = fs.readdirSync(this.o.dir).filter(isSettled);
    if (!settled.length) return;
    const wanted = await attached();
    for (const volumeId of settled) {
      const attachment = wanted.get(volumeId);
      // Looked at in turn with this process's own export() and unexport() of the volume.
      await this.serially(volumeId, async () => {
        // Made again since it was listed (an attachment newer than `wanted`): not this round's.
        if (!isSettled(volumeId)) return;
        const state = this.state(volumeId);
        if (state && state.owner !== THIS_HOST) return; // another host's, for it to look after
        if (!state || !attachment || attachment.attachment !== state.attachment) {
          if (await this.stop(volumeId, state)) this.o.log(`${volumeId}: export ended (the volume is not attached)`);
        } else if (!this.running(volumeId)) {
          await this.serve(volumeId, attachment.file, state);
          this.o.log(`${volumeId}: its export had stopped; served again at ${state.host}:${state.port}`);
        }
      }).catch((e: Error) => this.o.log(`${volumeId}: its export could not be looked after: ${e.message}`));
    }
  }

  /** Reconciles every RECONCILE_MS from now on; returns what stops it. */
  watch(attached: () => Promise<Attached>): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.reconcile(attached)
        .catch((e: Error) => this.o.log(`volume exports: looking after them failed: ${e.message}`))
        .finally(() => (running = false));
    }, RECONCILE_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  private folder(volumeId: string): string {
    return path.join(this.o.dir, volumeId);
  }

  private public(s: ExportState): NbdExport {
    return { host: s.host, port: s.port, name: s.name, identity: s.identity };
  }

  private state(volumeId: string): ExportState | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.folder(volumeId), 'export.json'), 'utf8')) as ExportState;
    } catch {
      return undefined;
    }
  }

  private pid(volumeId: string): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.folder(volumeId), 'qemu-nbd.pid'), 'utf8'));
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether the volume's qemu-nbd runs (its pid, alive, serving that volume). */
  private running(volumeId: string): boolean {
    const pid = this.pid(volumeId);
    if (!pid) return false;
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes(QEMU_NBD) && cmdline.includes(volumeId);
    } catch {
      return false;
    }
  }

  /**
   * Starts the volume's qemu-nbd (on the state's port, or a free one when it has none yet). The
   * state is written first: whoever looks at the folder meanwhile finds what it is for.
   */
  private async serve(volumeId: string, file: string, state: ExportState): Promise<void> {
    const dir = this.folder(volumeId);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeSecretFile(path.join(dir, 'keys.psk'), `${state.identity}:${exportKey(this.o.clusterKey, state.identity)}\n`);
    const kept = state.port;
    for (let attempt = 0; ; attempt++) {
      const port = kept || (await freePort(state.host.replace(/^\[|\]$/g, '')));
      writeFileAtomic(path.join(dir, 'export.json'), JSON.stringify({ ...state, port }), 0o600);
      try {
        await this.spawn(dir, file, volumeId, state.host, port);
        state.port = port;
        return;
      } catch (e) {
        // A free port taken meanwhile: another one (a kept port must be had again).
        if (kept || attempt >= 3) throw e;
      }
    }
  }

  /** qemu-nbd --fork: its first process ends once the export listens (or could not). */
  private spawn(dir: string, file: string, volumeId: string, host: string, port: number): Promise<void> {
    const log = fs.openSync(path.join(dir, 'log'), 'a', 0o600);
    const args = [
      '--fork',
      '--persistent',
      '--shared=4',
      '--format=raw',
      `--export-name=${volumeId}`,
      `--bind=${host}`,
      `--port=${port}`,
      '--object',
      `tls-creds-psk,id=tls0,endpoint=server,dir=${dir.replaceAll(',', ',,')}`,
      '--tls-creds=tls0',
      `--pid-file=${path.join(dir, 'qemu-nbd.pid')}`,
      file,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: ['ignore', log, log], detached: true });
      fs.closeSync(log);
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code === 0) return resolve();
        const said = fs.readFileSync(path.join(dir, 'log'), 'utf8').trim().split('\n').pop() ?? '';
        reject(new Error(`${QEMU_NBD} could not export ${volumeId} on ${host}:${port}: ${said || `exit ${code}`}`));
      });
    });
  }

  /** Stops the export's daemon and forgets it; one another host serves is left to it (false). */
  private async stop(volumeId: string, state: ExportState | undefined): Promise<boolean> {
    if (state && state.owner !== THIS_HOST) {
      this.o.log(`${volumeId}: its export runs on ${state.owner}, whose front ends end it`);
      return false;
    }
    const signal = (pid: number, sig: NodeJS.Signals) => {
      try {
        process.kill(pid, sig);
      } catch {
        // gone meanwhile
      }
    };
    const pid = this.running(volumeId) ? this.pid(volumeId) : undefined;
    if (pid) {
      signal(pid, 'SIGTERM');
      for (let i = 0; i < 100 && this.running(volumeId); i++) await new Promise((r) => setTimeout(r, 20));
      if (this.running(volumeId)) signal(pid, 'SIGKILL');
      for (let i = 0; i < 50 && this.running(volumeId); i++) await new Promise((r) => setTimeout(r, 20));
    }
    fs.rmSync(this.folder(volumeId), { recursive: true, force: true, maxRetries: 5 });
    return true;
  }

  private serially<T>(volumeId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.busy.get(volumeId) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(fn);
    this.busy.set(volumeId, next);
    void next.finally(() => this.busy.get(volumeId) === next && this.busy.delete(volumeId)).catch(() => undefined);
    return next;
  }
}
