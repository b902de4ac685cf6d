/** A zip of named files, written 0600 and whole (a temp file renamed), with yazl. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ZipFile } from 'yazl';

export async function writeZip(file: string, files: Record<string, string>): Promise<void> {
  const zip = new ZipFile();
  for (const [name, content] of Object.entries(files))
    zip.addBuffer(Buffer.from(content, 'utf8'), name, { mode: 0o100600 });
  zip.end();
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.tmp-${process.pid}`);
  const out = fs.createWriteStream(tmp, { mode: 0o600 });
  try {
    await new Promise<void>((resolve, reject) => {
      zip.outputStream.pipe(out).on('close', resolve).on('error', reject);
      zip.outputStream.on('error', reject);
    });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
