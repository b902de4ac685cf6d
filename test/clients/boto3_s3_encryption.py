# boto3 against Walrus's server-side encryption: SSE-S3 (the cloud's keys), SSE-C (the customer's
# key, needed again for every read), SSE-KMS refused (no KMS here), a bucket's default encryption,
# ranges across the parts of sealed multipart objects, and copies between sealings.
import os
from walrus import client, outcome

s3 = client()
MARK = os.environ['PLAINTEXT_MARK'].encode()


def code(call):
    return outcome(call, status=True)


body = MARK * 1000
key = os.urandom(32)
other = os.urandom(32)
sse_c = {'SSECustomerAlgorithm': 'AES256', 'SSECustomerKey': key}

s3.create_bucket(Bucket='enc')
put = s3.put_object(Bucket='enc', Key='s3', Body=body, ServerSideEncryption='AES256')
got = s3.get_object(Bucket='enc', Key='s3')
print('sse-s3', put['ServerSideEncryption'], got['ServerSideEncryption'], got['Body'].read() == body,
      s3.head_object(Bucket='enc', Key='s3')['ServerSideEncryption'])
print('sse-s3 range', s3.get_object(Bucket='enc', Key='s3', Range='bytes=5-2004')['Body'].read() == body[5:2005])
def asks_sse(request, **kw):
    request.headers['x-amz-server-side-encryption'] = 'AES256'


s3.meta.events.register('before-sign.s3.GetObject', asks_sse)
print('sse header on a read', code(lambda: s3.get_object(Bucket='enc', Key='s3')))
s3.meta.events.unregister('before-sign.s3.GetObject', asks_sse)

put = s3.put_object(Bucket='enc', Key='c', Body=body, **sse_c)
print('sse-c', put['SSECustomerAlgorithm'], 'SSECustomerKeyMD5' in put, 'ServerSideEncryption' in put)
print('sse-c without key', code(lambda: s3.get_object(Bucket='enc', Key='c')),
      code(lambda: s3.head_object(Bucket='enc', Key='c')))
print('sse-c other key', code(lambda: s3.get_object(Bucket='enc', Key='c', SSECustomerAlgorithm='AES256',
                                                    SSECustomerKey=other)))
got = s3.get_object(Bucket='enc', Key='c', Range='bytes=17-', **sse_c)
print('sse-c with key', got['Body'].read() == body[17:], got['SSECustomerAlgorithm'])
print('sse-c key for a plain object', code(lambda: s3.put_object(Bucket='enc', Key='p', Body=b'x'))
      , code(lambda: s3.get_object(Bucket='enc', Key='p', **sse_c)))
print('sse-kms', code(lambda: s3.put_object(Bucket='enc', Key='k', Body=b'x', ServerSideEncryption='aws:kms')),
      code(lambda: s3.head_object(Bucket='enc', Key='k')))
print('unknown sse', code(lambda: s3.put_object(Bucket='enc', Key='k', Body=b'x', ServerSideEncryption='DES')))

print('no default', code(lambda: s3.get_bucket_encryption(Bucket='enc')))
rule = {'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'AES256'}}
s3.put_bucket_encryption(Bucket='enc', ServerSideEncryptionConfiguration={'Rules': [rule]})
conf = s3.get_bucket_encryption(Bucket='enc')['ServerSideEncryptionConfiguration']
print('default', conf['Rules'][0]['ApplyServerSideEncryptionByDefault']['SSEAlgorithm'])
s3.put_object(Bucket='enc', Key='d', Body=body)
print('sealed by default', s3.head_object(Bucket='enc', Key='d').get('ServerSideEncryption'))
print('kms default', code(lambda: s3.put_bucket_encryption(Bucket='enc', ServerSideEncryptionConfiguration={
    'Rules': [{'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'aws:kms'}}]})))
s3.delete_bucket_encryption(Bucket='enc')
s3.put_object(Bucket='enc', Key='e', Body=body)
print('default removed', code(lambda: s3.get_bucket_encryption(Bucket='enc')),
      s3.head_object(Bucket='enc', Key='e').get('ServerSideEncryption'))

MiB = 1024 * 1024
whole = (MARK * (6 * MiB // len(MARK) + 1))[:6 * MiB] + MARK * 100
for name, extra in (('mp-s3', {'ServerSideEncryption': 'AES256'}), ('mp-c', sse_c)):
    part_key = {k: v for k, v in extra.items() if k != 'ServerSideEncryption'}
    up = s3.create_multipart_upload(Bucket='enc', Key=name, **extra)
    one = s3.upload_part(Bucket='enc', Key=name, UploadId=up['UploadId'], PartNumber=1, Body=whole[:5 * MiB],
                         **part_key)
    if part_key:
        print(name, 'part without key', code(lambda: s3.upload_part(
            Bucket='enc', Key=name, UploadId=up['UploadId'], PartNumber=2, Body=whole[5 * MiB:])))
    two = s3.upload_part(Bucket='enc', Key=name, UploadId=up['UploadId'], PartNumber=2, Body=whole[5 * MiB:],
                         **part_key)
    done = s3.complete_multipart_upload(Bucket='enc', Key=name, UploadId=up['UploadId'], MultipartUpload={
        'Parts': [{'PartNumber': 1, 'ETag': one['ETag']}, {'PartNumber': 2, 'ETag': two['ETag']}]})
    full = s3.get_object(Bucket='enc', Key=name, **part_key)['Body'].read()
    across = s3.get_object(Bucket='enc', Key=name, Range='bytes=%d-%d' % (5 * MiB - 7, 5 * MiB + 9),
                           **part_key)['Body'].read()
    head = s3.head_object(Bucket='enc', Key=name, **part_key)
    print(name, done.get('ServerSideEncryption'), head.get('ServerSideEncryption') or head.get('SSECustomerAlgorithm'),
          head['ContentLength'] == len(whole), full == whole,
          across == whole[5 * MiB - 7:5 * MiB + 10])

copy = s3.copy_object(Bucket='enc', Key='c-to-s3', CopySource={'Bucket': 'enc', 'Key': 'c'},
                      CopySourceSSECustomerAlgorithm='AES256', CopySourceSSECustomerKey=key,
                      ServerSideEncryption='AES256')
print('copy sse-c to sse-s3', copy['ServerSideEncryption'],
      s3.get_object(Bucket='enc', Key='c-to-s3')['Body'].read() == body)
print('copy sse-c without its key', code(lambda: s3.copy_object(
    Bucket='enc', Key='c-lost', CopySource={'Bucket': 'enc', 'Key': 'c'})))
s3.copy_object(Bucket='enc', Key='s3', CopySource={'Bucket': 'enc', 'Key': 's3'}, **sse_c)
print('reseal in place', s3.get_object(Bucket='enc', Key='s3', **sse_c)['Body'].read() == body,
      code(lambda: s3.get_object(Bucket='enc', Key='s3')))
up = s3.create_multipart_upload(Bucket='enc', Key='pc')
pc = s3.upload_part_copy(Bucket='enc', Key='pc', UploadId=up['UploadId'], PartNumber=1,
                         CopySource={'Bucket': 'enc', 'Key': 'mp-c'}, CopySourceRange='bytes=10-99',
                         CopySourceSSECustomerAlgorithm='AES256', CopySourceSSECustomerKey=key)
s3.complete_multipart_upload(Bucket='enc', Key='pc', UploadId=up['UploadId'], MultipartUpload={
    'Parts': [{'PartNumber': 1, 'ETag': pc['CopyPartResult']['ETag']}]})
print('part copy from sse-c', s3.get_object(Bucket='enc', Key='pc')['Body'].read() == whole[10:100])
