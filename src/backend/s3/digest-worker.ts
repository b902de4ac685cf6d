/**
 * A worker thread that hashes request bodies for body-digests.ts: each body is opened with what
 * it needs (MD5 always, SHA-256, an additional checksum), updated batch by batch in order (each
 * batch's buffer handed back once hashed, so the sender bounds what waits here and reuses it),
 * then finished with its digests.
 */
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './body-digests';
import { type Checksummer, createChecksummer } from './checksums';

interface State {
  md5: Hash;
  sha256?: Hash;
  summer?: Checksummer;
}

const bodies = new Map<number, State>();
const port = parentPort!;
const answer = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

port.on('message', (m: ToWorker) => {
  if (m.type === 'open') {
    bodies.set(m.id, {
      md5: createHash('md5'),
      sha256: m.request.sha256 ? createHash('sha256') : undefined,
      summer: m.request.checksum ? createChecksummer(m.request.checksum) : undefined,
    });
    return;
  }
  const body = bodies.get(m.id);
  if (!body) return;
  if (m.type === 'update') {
    const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
    body.md5.update(bytes);
    body.sha256?.update(bytes);
    body.summer?.update(bytes);
    // The buffer goes back to be filled again.
    answer({ type: 'updated', id: m.id, bytes: m.bytes }, [m.bytes.buffer as ArrayBuffer]);
    return;
  }
  bodies.delete(m.id);
  if (m.type === 'finish') {
    answer({
      type: 'digests',
      id: m.id,
      md5: body.md5.digest(),
      sha256: body.sha256?.digest('hex'),
      checksum: body.summer?.digest(),
    });
  }
});
