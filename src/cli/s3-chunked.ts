/**
 * Framing a streamed upload as signed aws-chunked: fixed-size chunks, each
 * `<hex-size>;chunk-signature=<sig>\r\n<data>\r\n`, and a final empty chunk. With the length of
 * the data known ahead, the framed length is too, so the request can carry a Content-Length.
 */
import { type ChunkSigner } from '../shared/auth/sigv4';

export const CHUNK_SIZE = 64 * 1024;
const SIGNATURE_EXTENSION = ';chunk-signature='.length + 64;

function framedChunk(size: number): number {
  return size.toString(16).length + SIGNATURE_EXTENSION + 2 + size + 2;
}

/** The framed length of `size` bytes of data sent in chunks of `chunkSize`. */
export function chunkedLength(size: number, chunkSize = CHUNK_SIZE): number {
  const full = Math.floor(size / chunkSize);
  const rest = size % chunkSize;
  return full * framedChunk(chunkSize) + (rest ? framedChunk(rest) : 0) + framedChunk(0);
}

/** Re-cuts the source into chunks of chunkSize (the last one shorter) and frames each, signed. */
export async function* signedChunks(
  source: AsyncIterable<Buffer>,
  signer: ChunkSigner,
  chunkSize = CHUNK_SIZE,
): AsyncGenerator<Buffer> {
  const frame = (data: Buffer) =>
    Buffer.concat([
      Buffer.from(`${data.length.toString(16)};chunk-signature=${signer.sign(data)}\r\n`),
      data,
      Buffer.from('\r\n'),
    ]);
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for await (const piece of source) {
    pending.push(piece);
    pendingSize += piece.length;
    if (pendingSize < chunkSize) continue;
    const all = Buffer.concat(pending, pendingSize);
    let at = 0;
    for (; pendingSize - at >= chunkSize; at += chunkSize) yield frame(all.subarray(at, at + chunkSize));
    pending = [all.subarray(at)];
    pendingSize -= at;
  }
  if (pendingSize) yield frame(Buffer.concat(pending, pendingSize));
  yield frame(Buffer.alloc(0));
}
