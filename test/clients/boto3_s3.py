# boto3 against Walrus with the framing new botocore uses for uploads over TLS: an aws-chunked
# body with a trailing x-amz-checksum-crc32 (x-amz-content-sha256:
# STREAMING-UNSIGNED-PAYLOAD-TRAILER), for put_object and for the parts of a multipart upload.
# Botocore chooses that framing only for https URLs and the embedded cloud speaks http, so its
# one scheme check is shown an https view of the URL; the request itself is botocore's own.
import hashlib, os
import boto3
import botocore.httpchecksum
from botocore.config import Config

_urlparse = botocore.httpchecksum.urlparse
botocore.httpchecksum.urlparse = lambda url, *a, **k: _urlparse(url.replace('http://', 'https://', 1), *a, **k)

s3 = boto3.client('s3', endpoint_url=os.environ['S3_URL'], region_name='eucalyptus',
                  config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
framing = []
s3.meta.events.register('before-send.s3.*', lambda request, **kw: framing.append(
    (request.headers.get('x-amz-content-sha256'), request.headers.get('Content-Encoding'), request.headers.get('x-amz-trailer'))))

def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)

s3.create_bucket(Bucket='boto3-trailers')
data = os.urandom(6 * 1024 * 1024 + 5)
s3.put_object(Bucket='boto3-trailers', Key='single', Body=data[:300000])
print('put', ' '.join(text(v) for v in framing[-1]))
got = s3.get_object(Bucket='boto3-trailers', Key='single', ChecksumMode='ENABLED')
print('get', hashlib.md5(got['Body'].read()).hexdigest() == hashlib.md5(data[:300000]).hexdigest(), got.get('ChecksumCRC32') is not None)

mpu = s3.create_multipart_upload(Bucket='boto3-trailers', Key='multi', ChecksumAlgorithm='CRC32')
parts = []
for n, (start, end) in enumerate([(0, 5 * 1024 * 1024), (5 * 1024 * 1024, len(data))], 1):
    r = s3.upload_part(Bucket='boto3-trailers', Key='multi', UploadId=mpu['UploadId'], PartNumber=n, Body=data[start:end], ChecksumAlgorithm='CRC32')
    parts.append({'PartNumber': n, 'ETag': r['ETag'], 'ChecksumCRC32': r['ChecksumCRC32']})
print('part', ' '.join(text(v) for v in framing[-1]))
done = s3.complete_multipart_upload(Bucket='boto3-trailers', Key='multi', UploadId=mpu['UploadId'], MultipartUpload={'Parts': parts})
body = s3.get_object(Bucket='boto3-trailers', Key='multi')['Body'].read()
print('multipart', done['ETag'].endswith('-2"'), hashlib.md5(body).hexdigest() == hashlib.md5(data).hexdigest())
