/**
 * The multipart operations' protocol side: CreateMultipartUpload (POST ?uploads), UploadPart and
 * UploadPartCopy (PUT ?partNumber&uploadId), ListParts, CompleteMultipartUpload,
 * AbortMultipartUpload and ListMultipartUploads.
 */
import { ServiceError } from '../errors';
import { type Reply } from '../reply';
import { checkConditions, copySourceConditions, emptyReply, type S3Call, versionHeader, xmlReply } from './call';
import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_MEMBERS,
  checkChecksumType,
  checksumElements,
  defaultChecksumType,
  isChecksumAlgorithm,
} from './checksums';
import { type WholeChecksum } from './multipart';
import { listPartsDocument, listUploadsDocument, parseCompleteMultipart, s3Answer } from './documents';
import { encryptionHeaders, requestedEncryption, sentCopySourceKey, sentCustomerKey } from './encryption';
import { checksumHeader } from './object-ops';
import { encodingType } from './bucket-ops';
import { MAX_PUT_SIZE } from './walrus';

function uploadId(input: { UploadId?: string }): string {
  if (!input.UploadId) throw new ServiceError('InvalidArgument', 'This operation needs an uploadId');
  return input.UploadId;
}

export async function createUpload(call: S3Call): Promise<Reply> {
  const input = call.input('CreateMultipartUpload');
  const algorithm = input.ChecksumAlgorithm?.trim().toLowerCase();
  if (algorithm !== undefined && !isChecksumAlgorithm(algorithm))
    throw new ServiceError('InvalidRequest', `Checksum algorithm ${algorithm} is not supported`);
  const type = input.ChecksumType?.trim().toUpperCase();
  if (type !== undefined && algorithm === undefined)
    throw new ServiceError(
      'InvalidRequest',
      'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
    );
  const u = await call.walrus.multipart.initiate(
    call.caller,
    call.bucket,
    call.objectKey,
    call.attributes(input),
    call.aclInput(input),
    {
      checksum: algorithm && {
        algorithm,
        type: type === undefined ? defaultChecksumType(algorithm) : checkChecksumType(algorithm, type),
      },
      sse: requestedEncryption(input),
    },
  );
  const headers: Record<string, string> = {
    ...(algorithm
      ? { 'x-amz-checksum-algorithm': algorithm.toUpperCase(), 'x-amz-checksum-type': u.checksumType! }
      : {}),
    ...encryptionHeaders(u.encryption),
  };
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

function copyRange(header: string | undefined): { start: number; end: number } | undefined {
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

export async function uploadPartCopy(call: S3Call): Promise<Reply> {
  const input = call.input('UploadPartCopy');
  const id = uploadId(input);
  const check = (src: Parameters<typeof checkConditions>[0]) =>
    void checkConditions(src, copySourceConditions(input), true);
  const part = await call.walrus.multipart.uploadPartCopy(
    call.caller,
    call.bucket,
    call.objectKey,
    id,
    input.PartNumber ?? 0,
    (await call.copySourceObject(input.CopySource!)).object,
    copyRange(input.CopySourceRange),
    check,
    { source: sentCopySourceKey(input), target: sentCustomerKey(input) },
  );
  return xmlReply(
    'UploadPartCopy',
    s3Answer('UploadPartCopy', 'CopyPartResult', { LastModified: part.lastModified, ETag: part.etag }),
    encryptionHeaders(part.encryption),
  );
}

export async function uploadPart(call: S3Call): Promise<Reply> {
  const input = call.input('UploadPart');
  const id = uploadId(input);
  const partNumber = input.PartNumber ?? 0;
  const mp = call.walrus.multipart;
  const sent = sentCustomerKey(input);
  // Refuse before the body is read (and before 100 Continue) when the part cannot be taken.
  await mp.checkUploadPart(call.caller, call.bucket, call.objectKey, id, partNumber, sent);
  const part = await mp.uploadPart(
    call.caller,
    call.bucket,
    call.objectKey,
    id,
    partNumber,
    call.payload(MAX_PUT_SIZE),
    sent,
  );
  return emptyReply('UploadPart', 200, {
    ETag: part.etag,
    ...checksumHeader(part.checksum),
    ...encryptionHeaders(part.encryption),
  });
}

export async function listParts(call: S3Call): Promise<Reply> {
  const input = call.input('ListParts');
  const marker = input.PartNumberMarker ?? 0;
  const maxParts = Math.min(input.MaxParts ?? 1000, 1000);
  const r = await call.walrus.multipart.listParts(
    call.caller,
    call.bucket,
    call.objectKey,
    uploadId(input),
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
  const input = call.input('CompleteMultipartUpload');
  const id = uploadId(input);
  const parts = parseCompleteMultipart(await call.xmlBody({ objectChecksums: true }));
  const values: WholeChecksum['values'] = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const v = input[CHECKSUM_MEMBERS[algorithm]];
    if (v !== undefined) values[algorithm] = v;
  }
  const o = await call.walrus.multipart.complete(call.caller, call.bucket, call.objectKey, id, parts, {
    conditions: { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch },
    whole: { values, type: input.ChecksumType, size: input.MpuObjectSize },
    sent: sentCustomerKey(input),
  });
  const location = `http://${call.header('host') ?? 'localhost'}${call.req.rawPath}`;
  return xmlReply(
    'CompleteMultipartUpload',
    s3Answer('CompleteMultipartUpload', 'CompleteMultipartUploadResult', {
      Location: location,
      Bucket: call.bucket,
      Key: o.key,
      ETag: o.etag,
      ...checksumElements(o.checksum),
    }),
    { ...versionHeader(o), ...encryptionHeaders(o.encryption) },
  );
}

export async function abortUpload(call: S3Call): Promise<Reply> {
  await call.walrus.multipart.abort(
    call.caller,
    call.bucket,
    call.objectKey,
    uploadId(call.input('AbortMultipartUpload')),
  );
  return emptyReply('AbortMultipartUpload', 204);
}

export async function listUploads(call: S3Call): Promise<Reply> {
  const input = call.input('ListMultipartUploads');
  const prefix = input.Prefix ?? '';
  const delimiter = input.Delimiter || undefined;
  const keyMarker = input.KeyMarker ?? '';
  const uploadIdMarker = input.UploadIdMarker ?? '';
  const maxUploads = Math.min(input.MaxUploads ?? 1000, 1000);
  const encoding = encodingType(input.EncodingType);
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
      encodingType: encoding,
      ownerOf: await call.ownersOf(page.entries.map((u) => u.ownerAccountId)),
    }),
  );
}
