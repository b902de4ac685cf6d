# boto3 against Walrus, on what S3 documents and applications rely on: deleting a bucket that
# holds only unfinished uploads, listing with max-keys=0 and an empty continuation token, paging
# buckets, a key hidden by a delete marker, conditional writes, the expected bucket owner, more
# than 10 tags, Content-Encoding, and a feature Walrus does not offer (websites) refused, never ignored.
import os
from botocore.exceptions import ClientError
from walrus import client, outcome

s3 = client()
me = os.environ['EC2_ACCOUNT_NUMBER']


def code(call):
    return outcome(call, status=True)


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
print('website', code(lambda: s3.put_bucket_website(Bucket='sem', WebsiteConfiguration={
    'IndexDocument': {'Suffix': 'index.html'}})))
print('not written', code(lambda: s3.get_bucket_website(Bucket='sem')))

# Multipart: a Complete sent again, parts read back by number, whole-object checksums.
import base64
import hashlib
import zlib

MiB = 1024 * 1024
first, second = os.urandom(5 * MiB), os.urandom(1000)


def upload(key, checksum=None, ctype=None):
    extra = {'ChecksumAlgorithm': checksum} if checksum else {}
    up = s3.create_multipart_upload(Bucket='sem', Key=key, **extra, **({'ChecksumType': ctype} if ctype else {}))
    parts = []
    for n, data in ((1, first), (2, second)):
        r = s3.upload_part(Bucket='sem', Key=key, UploadId=up['UploadId'], PartNumber=n, Body=data, **extra)
        part = {'PartNumber': n, 'ETag': r['ETag']}
        if checksum:
            part['Checksum' + checksum] = r['Checksum' + checksum]
        parts.append(part)
    return up['UploadId'], parts


uid, parts = upload('mp')
done = s3.complete_multipart_upload(Bucket='sem', Key='mp', UploadId=uid, MultipartUpload={'Parts': parts})
again = s3.complete_multipart_upload(Bucket='sem', Key='mp', UploadId=uid, MultipartUpload={'Parts': parts})
print('complete again', again['ETag'] == done['ETag'],
      code(lambda: s3.complete_multipart_upload(Bucket='sem', Key='mp', UploadId=uid,
                                                MultipartUpload={'Parts': parts[:1]})))
p2 = s3.get_object(Bucket='sem', Key='mp', PartNumber=2)
h1 = s3.head_object(Bucket='sem', Key='mp', PartNumber=1)
print('part 2', p2['ResponseMetadata']['HTTPStatusCode'], p2['PartsCount'], p2['Body'].read() == second,
      p2['ContentRange'] == 'bytes %d-%d/%d' % (5 * MiB, 5 * MiB + 999, 5 * MiB + 1000))
print('head part 1', h1['ContentLength'] == 5 * MiB, h1['PartsCount'])
print('part 3', code(lambda: s3.get_object(Bucket='sem', Key='mp', PartNumber=3)),
      code(lambda: s3.get_object(Bucket='sem', Key='mp', PartNumber=1, Range='bytes=0-1')))
plain = s3.get_object(Bucket='sem', Key='cond', PartNumber=1)
print('plain part 1', plain['Body'].read().decode(), 'PartsCount' in plain,
      code(lambda: s3.get_object(Bucket='sem', Key='cond', PartNumber=2)))

uid, parts = upload('sha', 'SHA256')
digest = hashlib.sha256(b''.join(base64.b64decode(p['ChecksumSHA256']) for p in parts)).digest()
composite = base64.b64encode(digest).decode() + '-2'
print('wrong whole', code(lambda: s3.complete_multipart_upload(
    Bucket='sem', Key='sha', UploadId=uid, ChecksumSHA256=base64.b64encode(b'0' * 32).decode(),
    MultipartUpload={'Parts': parts})))
done = s3.complete_multipart_upload(Bucket='sem', Key='sha', UploadId=uid, ChecksumSHA256=composite,
                                    MultipartUpload={'Parts': parts})
head = s3.head_object(Bucket='sem', Key='sha', ChecksumMode='ENABLED')
print('composite', done['ChecksumSHA256'] == composite, done['ChecksumType'],
      head['ChecksumSHA256'] == composite, head['ChecksumType'])
uid, parts = upload('crc', 'CRC32', 'FULL_OBJECT')
done = s3.complete_multipart_upload(Bucket='sem', Key='crc', UploadId=uid, MultipartUpload={'Parts': parts})
whole = base64.b64encode(zlib.crc32(first + second).to_bytes(4, 'big')).decode()
print('full object', done['ChecksumCRC32'] == whole, done['ChecksumType'])
print('sha whole object', code(lambda: s3.create_multipart_upload(Bucket='sem', Key='x', ChecksumAlgorithm='SHA1',
                                                                  ChecksumType='FULL_OBJECT')))

# ACLs and tags of every version, not only the current one.
v1 = s3.put_object(Bucket='sem', Key='va', Body=b'1')['VersionId']
s3.put_object(Bucket='sem', Key='va', Body=b'2')
s3.put_object_acl(Bucket='sem', Key='va', VersionId=v1, ACL='public-read')
public = lambda acl: any(g['Grantee'].get('URI', '').endswith('AllUsers') for g in acl['Grants'])
print('version acl', public(s3.get_object_acl(Bucket='sem', Key='va', VersionId=v1)),
      public(s3.get_object_acl(Bucket='sem', Key='va')))
s3.put_object_tagging(Bucket='sem', Key='va', VersionId=v1, Tagging={'TagSet': [{'Key': 'old', 'Value': 'yes'}]})
print('version tags', s3.get_object_tagging(Bucket='sem', Key='va', VersionId=v1)['TagSet'],
      s3.get_object_tagging(Bucket='sem', Key='va')['TagSet'])
marker = s3.delete_object(Bucket='sem', Key='va')['VersionId']
print('acl of a delete marker', code(lambda: s3.get_object_acl(Bucket='sem', Key='va', VersionId=marker)),
      code(lambda: s3.get_object_acl(Bucket='sem', Key='va', VersionId='nosuchversion')))

# Requests as other clients sign and send them.
import datetime
import hmac
import urllib.parse
import requests

creds = s3._request_signer._credentials


def v4_with_date_header(method, path):
    """Signature V4 over a Date header, with no X-Amz-Date (as some HTTP libraries sign)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp, day = now.strftime('%Y%m%dT%H%M%SZ'), now.strftime('%Y%m%d')
    url = urllib.parse.urlsplit(os.environ['S3_URL'] + path)
    headers = {'host': url.netloc, 'date': now.strftime('%a, %d %b %Y %H:%M:%S GMT'),
               'x-amz-content-sha256': hashlib.sha256(b'').hexdigest()}
    names = ';'.join(sorted(headers))
    canonical = '\n'.join([method, url.path, '', *('%s:%s' % (k, headers[k]) for k in sorted(headers)), '', names,
                           headers['x-amz-content-sha256']])
    scope = '%s/eucalyptus/s3/aws4_request' % day
    to_sign = '\n'.join(['AWS4-HMAC-SHA256', stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ('AWS4' + creds.secret_key).encode()
    for part in (day, 'eucalyptus', 's3', 'aws4_request'):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers['Authorization'] = 'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s' % (
        creds.access_key, scope, names, sig)
    return requests.request(method, os.environ['S3_URL'] + path, headers=headers).status_code


print('v4 over a Date header', v4_with_date_header('GET', '/sem/cond'))


def expect(request, **kw):
    request.headers['Expect'] = '200-ok'


s3.meta.events.register('before-sign.s3.PutObject', expect)
print('an Expect other than 100-continue', code(lambda: s3.put_object(Bucket='sem', Key='expect', Body=b'')))
s3.meta.events.unregister('before-sign.s3.PutObject', expect)
s3.put_bucket_cors(Bucket='sem', CORSConfiguration={'CORSRules': [
    {'AllowedOrigins': ['https://app.example'], 'AllowedMethods': ['GET', 'PUT']}]})
presigned = s3.generate_presigned_url('get_object', Params={'Bucket': 'sem', 'Key': 'cond'})
r = requests.options(presigned, headers={'Origin': 'https://app.example', 'Access-Control-Request-Method': 'GET'})
print('preflight of a presigned URL', r.status_code, r.headers.get('Access-Control-Allow-Origin'))

# GetObjectAttributes, of a multipart object with a composite checksum.
attrs = s3.get_object_attributes(Bucket='sem', Key='sha', MaxParts=1,
                                 ObjectAttributes=['ETag', 'Checksum', 'ObjectParts', 'ObjectSize', 'StorageClass'])
parts = attrs['ObjectParts']
print('attributes', attrs['ETag'].endswith('-2'), attrs['ObjectSize'] == 5 * MiB + 1000, attrs['StorageClass'],
      attrs['Checksum']['ChecksumSHA256'] == composite, parts['TotalPartsCount'], parts['IsTruncated'],
      [(p['PartNumber'], p['Size']) for p in parts['Parts']])
print('attributes asked badly', code(lambda: s3.get_object_attributes(Bucket='sem', Key='sha',
                                                                      ObjectAttributes=['Colour'])))

# Metadata that is not ASCII: raw UTF-8 under Signature V4 (as curl and SDKs of other languages
# send it) and RFC 2047 words, stored as text and answered RFC 2047-encoded, as S3 does.
import subprocess

put = subprocess.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--aws-sigv4', 'aws:amz:eucalyptus:s3',
                      '--user', '%s:%s' % (creds.access_key, creds.secret_key),
                      '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '-H', 'x-amz-meta-name: café au lait',
                      '-H', 'x-amz-meta-word: =?UTF-8?B?5pel5pys?=', '-X', 'PUT', '--data-binary', 'x',
                      os.environ['S3_URL'] + '/sem/unicode'], capture_output=True, text=True).stdout
meta = s3.head_object(Bucket='sem', Key='unicode')['Metadata']
print('non-ASCII metadata', put, meta['name'], base64.b64decode(meta['name'][10:-2]).decode(),
      base64.b64decode(meta['word'][10:-2]).decode())
print('storage classes', code(lambda: s3.put_object(Bucket='sem', Key='cold', Body=b'x', StorageClass='GLACIER')),
      code(lambda: s3.put_object(Bucket='sem', Key='rr', Body=b'x', StorageClass='REDUCED_REDUNDANCY')),
      code(lambda: s3.head_object(Bucket='sem', Key='cold')))
s3.put_object(Bucket='sem', Key='gz2', Body=b'x', ContentEncoding='gzip, aws-chunked')
print('aws-chunked named over a plain body', s3.head_object(Bucket='sem', Key='gz2').get('ContentEncoding'))
