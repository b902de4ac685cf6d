# boto 2 (python3-boto) against the embedded cloud: it signs EC2 and IAM with Signature V2
# (HmacSHA256) and S3 with the V2 Authorization header, and makes V2 presigned S3 URLs.
import os, urllib.request
from urllib.parse import urlparse
import boto.ec2.connection
from boto.ec2.regioninfo import RegionInfo
from boto.iam.connection import IAMConnection
from boto.s3.connection import S3Connection, OrdinaryCallingFormat

ak, sk = os.environ['EC2_ACCESS_KEY'], os.environ['EC2_SECRET_KEY']
ec2 = urlparse(os.environ['EC2_URL'])
c = boto.ec2.connection.EC2Connection(ak, sk, region=RegionInfo(name='eucalyptus', endpoint=ec2.hostname),
                                      port=ec2.port, path=ec2.path, is_secure=False)
print('zones', ' '.join('%s:%s' % (z.name, z.state) for z in c.get_all_zones()))
s3u = urlparse(os.environ['S3_URL'])
s3 = S3Connection(ak, sk, host=s3u.hostname, port=s3u.port, path=s3u.path, is_secure=False,
                  calling_format=OrdinaryCallingFormat())
print('buckets', len(s3.get_all_buckets()))
iu = urlparse(os.environ['EUARE_URL'])
iam = IAMConnection(ak, sk, host=iu.hostname, port=iu.port, path=iu.path, is_secure=False)
print('user', iam.get_user()['get_user_response']['get_user_result']['user']['user_name'])
url = s3.generate_url(300, 'GET')
with urllib.request.urlopen(url) as r:
    print('presigned', r.status)
# Bucket and object calls: boto 2 signs `/bucket` and `/bucket/key`, past the endpoint's path.
bucket = s3.create_bucket('boto2-v2')
key = bucket.new_key('dir/hello.txt')
key.set_contents_from_string('hello v2')
print('object', bucket.get_key('dir/hello.txt').get_contents_as_string().decode())
with urllib.request.urlopen(key.generate_url(300)) as r:
    print('presigned object', r.read().decode())
key.delete()
s3.delete_bucket('boto2-v2')
