/**
 * The multipart operations' protocol side: CreateMultipartUpload (POST ?uploads), UploadPart and
 * UploadPartCopy (PUT ?partNumber&uploadId), ListParts, CompleteMultipartUpload,
 * AbortMultipartUpload and ListMultipartUploads.
 */
import { ServiceError } from '../errors';
import { type Reply } from '../reply';
import { checkConditions, emptyReply, type S3Call, versionHeader, xmlReply } from './call';
import { isChecksumAlgorithm } from './checksums';
import { listPartsDocument, listUploadsDocument, parseCompleteMultipart, s3Answer } from './documents';
import { checksumHeader } from './object-ops';
import { MAX_PUT_SIZE } from './walrus';

function uploadId(call: S3Call): string {
  const id = call.param('uploadId');
  if (!id) throw new ServiceError('InvalidArgument', 'This operation needs an uploadId');
  return id;
}

export async function createUpload(call: S3Call): Promise<Reply> {
  const algorithm = call.header('x-amz-checksum-algorithm')?.trim().toLowerCase();
  if (algorithm !== undefined && !isChecksumAlgorithm(algorithm))
    throw new ServiceError('InvalidRequest', `Checksum algorithm ${algorithm} is not supported`);
  const u = await call.walrus.multipart.initiate(
    call.caller,
    call.bucket,
    call.objectKey,
    call.attributes(),
    call.aclInput(),
    algorithm,
  );
  const headers: Record<string, string> = algorithm ? { 'x-amz-checksum-algorithm': algorithm.toUpperCase() } : {};
  return xmlReply(
    'CreateMultipartUpload',
    s3Answer('CreateMultipartUpload', 'InitiateMultipartUploadResult', {
      Bucket: call.bucket,
      Key: u.key,
      UploadId: u.id,
    }),
    headers,
  );
}

function copyRange(call: S3Call): { start: number; end: number } | undefined {
  const header = call.header('x-amz-copy-source-range');
  if (header === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!m)
    throw new ServiceError(
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the ' +
        'zero-based offsets of the first and last bytes to copy',
    );
  return { start: Number(m[1]), end: Number(m[2]) };
}

export async function uploadPart(call: S3Call): Promise<Reply> {
  const id = uploadId(call);
  const partNumber = call.intParam('partNumber', 0);
  const mp = call.walrus.multipart;
  if (call.header('x-amz-copy-source') !== undefined) {
    const check = (src: Parameters<typeof checkConditions>[0]) =>
      void checkConditions(src, (h) => call.header(h), 'x-amz-copy-source-');
    const part = await mp.uploadPartCopy(
      call.caller,
      call.bucket,
      call.objectKey,
      id,
      partNumber,
      (await call.copySourceObject()).object,
      copyRange(call),
      check,
    );
    return xmlReply(
      'UploadPartCopy',
      s3Answer('UploadPartCopy', 'CopyPartResult', { LastModified: part.lastModified, ETag: part.etag }),
    );
  }
  // Refuse before the body is read (and before 100 Continue) when the part cannot be taken.
  await mp.checkUploadPart(call.caller, call.bucket, call.objectKey, id, partNumber);
  const part = await mp.uploadPart(
    call.caller,
    call.bucket,
    call.objectKey,
    id,
    partNumber,
    call.payload(MAX_PUT_SIZE),
  );
  return emptyReply('UploadPart', 200, { ETag: part.etag, ...checksumHeader(part.checksum) });
}

export async function listParts(call: S3Call): Promise<Reply> {
  const marker = call.intParam('part-number-marker', 0);
  const maxParts = call.intParam('max-parts', 1000, 1000);
  const r = await call.walrus.multipart.listParts(
    call.caller,
    call.bucket,
    call.objectKey,
    uploadId(call),
    marker,
    maxParts,
  );
  return xmlReply(
    'ListParts',
    listPartsDocument({
      bucket: call.bucket,
      ...r,
      marker,
      maxParts,
      owner: await call.owner(r.upload.ownerAccountId),
    }),
  );
}

export async function completeUpload(call: S3Call): Promise<Reply> {
  const id = uploadId(call);
  const parts = parseCompleteMultipart(await call.xmlBody());
  const o = await call.walrus.multipart.complete(call.caller, call.bucket, call.objectKey, id, parts);
  const location = `http://${call.header('host') ?? 'localhost'}${call.req.rawPath}`;
  return xmlReply(
    'CompleteMultipartUpload',
    s3Answer('CompleteMultipartUpload', 'CompleteMultipartUploadResult', {
      Location: location,
      Bucket: call.bucket,
      Key: o.key,
      ETag: o.etag,
    }),
    versionHeader(o),
  );
}

export async function abortUpload(call: S3Call): Promise<Reply> {
  await call.walrus.multipart.abort(call.caller, call.bucket, call.objectKey, uploadId(call));
  return emptyReply('AbortMultipartUpload', 204);
}

export async function listUploads(call: S3Call): Promise<Reply> {
  const prefix = call.param('prefix') ?? '';
  const delimiter = call.param('delimiter') || undefined;
  const keyMarker = call.param('key-marker') ?? '';
  const uploadIdMarker = call.param('upload-id-marker') ?? '';
  const maxUploads = call.intParam('max-uploads', 1000, 1000);
  const encodingType = call.param('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url')
    throw new ServiceError('InvalidArgument', 'Invalid Encoding Method specified in Request');
  const after = keyMarker ? { key: keyMarker, id: uploadIdMarker || undefined } : undefined;
  const page = await call.walrus.multipart.list(call.caller, call.bucket, {
    prefix,
    delimiter,
    maxKeys: maxUploads,
    after,
  });
  return xmlReply(
    'ListMultipartUploads',
    listUploadsDocument(page, {
      bucket: call.bucket,
      prefix,
      delimiter,
      keyMarker,
      uploadIdMarker,
      maxUploads,
      encodingType,
      ownerOf: await call.ownersOf(page.entries.map((u) => u.ownerAccountId)),
    }),
  );
}
