# Server access logging with boto3: a bucket's requests delivered as S3-format log lines into a
# target bucket of the same owner; a target of another account refused; logging turned off.
import os
import re
import time
import requests
from walrus import client, outcome

url = os.environ['S3_URL']
s3 = client()
ME = os.environ['EC2_ACCOUNT_NUMBER']


code = outcome


s3.create_bucket(Bucket='logged')
s3.create_bucket(Bucket='logs')
print('not logging', s3.get_bucket_logging(Bucket='logged').get('LoggingEnabled'))
print('target elsewhere', code(lambda: s3.put_bucket_logging(Bucket='logged', BucketLoggingStatus={
    'LoggingEnabled': {'TargetBucket': 'no-such-logs', 'TargetPrefix': 'x/'}})),
    code(lambda: s3.put_bucket_logging(Bucket='logged', BucketLoggingStatus={
        'LoggingEnabled': {'TargetBucket': os.environ['OTHER_BUCKET'], 'TargetPrefix': 'x/'}})))
s3.put_bucket_logging(Bucket='logged', BucketLoggingStatus={
    'LoggingEnabled': {'TargetBucket': 'logs', 'TargetPrefix': 'access/'}})
print('logging', s3.get_bucket_logging(Bucket='logged')['LoggingEnabled'])
s3.put_object(Bucket='logged', Key='photo one.jpg', Body=b'x' * 1234)
s3.get_object(Bucket='logged', Key='photo one.jpg')['Body'].read()
code(lambda: s3.head_object(Bucket='logged', Key='missing'))
requests.get(url + '/logged/photo%20one.jpg', headers={'Referer': 'https://site.example/'})

lines = []
for _ in range(60):
    listed = s3.list_objects_v2(Bucket='logs', Prefix='access/').get('Contents', [])
    lines = [l for o in listed for l in s3.get_object(Bucket='logs', Key=o['Key'])['Body'].read().decode().splitlines()]
    if len(lines) >= 4:
        break
    time.sleep(0.5)
print('delivered', len(lines) >= 4, all(re.match(r'access/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}$', o['Key'])
                                        for o in listed))
line = re.compile(r'(\S+) (\S+) \[([^\]]+)\] (\S+) (\S+) (\S+) (\S+) (\S+) "([^"]*)" (\d+) (\S+) (\S+) (\S+) (\d+) (\S+) '
                  r'"([^"]*)" "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)')
parsed = [line.match(l) for l in lines]
print('format', all(parsed), {p.group(1) == ME and p.group(2) == 'logged' for p in parsed})
ops = [(p.group(7), p.group(8), p.group(10), p.group(11), p.group(5) == ME) for p in parsed]
print('put', ('REST.PUT.OBJECT', 'photo%20one.jpg', '200', '-', True) in ops)
print('head 404', ('REST.HEAD.OBJECT', 'missing', '404', 'NoSuchKey', True) in ops)
anon = [p for p in parsed if p.group(5) == '-']
print('anonymous', [(p.group(7), p.group(10), p.group(11), p.group(16)) for p in anon])
s3.put_bucket_logging(Bucket='logged', BucketLoggingStatus={})
print('turned off', s3.get_bucket_logging(Bucket='logged').get('LoggingEnabled'))
