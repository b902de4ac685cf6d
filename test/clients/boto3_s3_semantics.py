# boto3 against Walrus, on what S3 documents and applications rely on: deleting a bucket that
# holds only unfinished uploads, listing with max-keys=0 and an empty continuation token, paging
# buckets, a key hidden by a delete marker, conditional writes, the expected bucket owner, more
# than 10 tags, Content-Encoding, and features Walrus does not offer refused (never ignored).
import os
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client('s3', endpoint_url=os.environ['S3_URL'], region_name='eucalyptus',
                  config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
me = os.environ['EC2_ACCOUNT_NUMBER']


def code(call):
    try:
        call()
        return 'ok'
    except ClientError as e:
        return '%s %s' % (e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])


def headers(call):
    try:
        call()
    except ClientError as e:
        h = e.response['ResponseMetadata']['HTTPHeaders']
        return h.get('x-amz-delete-marker'), 'x-amz-version-id' in h
    return None


s3.create_bucket(Bucket='sem-uploads')
s3.create_multipart_upload(Bucket='sem-uploads', Key='unfinished')
print('delete bucket with only uploads', code(lambda: s3.delete_bucket(Bucket='sem-uploads')))

s3.create_bucket(Bucket='sem')
for k in ('a', 'b', 'c'):
    s3.put_object(Bucket='sem', Key=k, Body=b'x')
zero = s3.list_objects_v2(Bucket='sem', MaxKeys=0)
print('max-keys 0', zero['IsTruncated'], zero.get('KeyCount'))
print('empty token', len(s3.list_objects_v2(Bucket='sem', ContinuationToken='')['Contents']))
s3.create_bucket(Bucket='sem-z')
first = s3.list_buckets(MaxBuckets=1, Prefix='sem')
second = s3.list_buckets(MaxBuckets=10, Prefix='sem', ContinuationToken=first['ContinuationToken'])
print('bucket pages', [b['Name'] for b in first['Buckets']], [b['Name'] for b in second['Buckets']],
      'ContinuationToken' in second)

s3.put_bucket_versioning(Bucket='sem', VersioningConfiguration={'Status': 'Enabled'})
s3.put_object(Bucket='sem', Key='gone', Body=b'v1')
s3.delete_object(Bucket='sem', Key='gone')
print('get behind a delete marker', code(lambda: s3.get_object(Bucket='sem', Key='gone')),
      headers(lambda: s3.get_object(Bucket='sem', Key='gone')))
print('head behind a delete marker', headers(lambda: s3.head_object(Bucket='sem', Key='gone')))

etag = s3.put_object(Bucket='sem', Key='cond', Body=b'one')['ETag']
print('if-none-match on an existing key', code(lambda: s3.put_object(Bucket='sem', Key='cond', Body=b'two', IfNoneMatch='*')))
print('if-none-match on a new key', code(lambda: s3.put_object(Bucket='sem', Key='cond-new', Body=b'two', IfNoneMatch='*')))
print('if-match stale', code(lambda: s3.put_object(Bucket='sem', Key='cond', Body=b'two', IfMatch='"0123"')))
print('if-match current', code(lambda: s3.put_object(Bucket='sem', Key='cond', Body=b'two', IfMatch=etag)))
print('cond body', s3.get_object(Bucket='sem', Key='cond')['Body'].read().decode())

print('expected owner', code(lambda: s3.head_bucket(Bucket='sem', ExpectedBucketOwner=me)),
      code(lambda: s3.list_objects_v2(Bucket='sem', ExpectedBucketOwner='111122223333')))
tags = '&'.join('k%d=v' % i for i in range(11))
print('eleven tags', code(lambda: s3.put_object(Bucket='sem', Key='t', Body=b'x', Tagging=tags)))
s3.put_object(Bucket='sem', Key='gz', Body=b'x', ContentEncoding='gzip')
print('content-encoding', s3.head_object(Bucket='sem', Key='gz').get('ContentEncoding'))
mpu = s3.create_multipart_upload(Bucket='sem', Key='copied')
print('part copy past the end', code(lambda: s3.upload_part_copy(
    Bucket='sem', Key='copied', UploadId=mpu['UploadId'], PartNumber=1,
    CopySource={'Bucket': 'sem', 'Key': 'cond'}, CopySourceRange='bytes=0-100')))
s3.abort_multipart_upload(Bucket='sem', Key='copied', UploadId=mpu['UploadId'])
print('object lock', code(lambda: s3.create_bucket(Bucket='sem-locked', ObjectLockEnabledForBucket=True)))
print('not written', code(lambda: s3.head_bucket(Bucket='sem-locked')))
