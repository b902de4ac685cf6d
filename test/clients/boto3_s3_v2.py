# boto3 with Signature V2 (signature_version='s3') against Walrus under /services/Walrus: botocore
# signs the path past the endpoint (`/bucket/key`, and `/bucket/` for bucket calls), in the
# Authorization header and in presigned URLs.
import os, urllib.request
import boto3
from botocore.config import Config

s3 = boto3.client('s3', endpoint_url=os.environ['S3_URL'], region_name='eucalyptus',
                  config=Config(signature_version='s3', s3={'addressing_style': 'path'}))
s3.create_bucket(Bucket='boto3-v2')
s3.head_bucket(Bucket='boto3-v2')
s3.put_object(Bucket='boto3-v2', Key='dir/hello.txt', Body=b'hello v2')
print('get', s3.get_object(Bucket='boto3-v2', Key='dir/hello.txt')['Body'].read().decode())
print('list', [o['Key'] for o in s3.list_objects(Bucket='boto3-v2')['Contents']])
print('acl', s3.get_bucket_acl(Bucket='boto3-v2')['Grants'][0]['Permission'])
url = s3.generate_presigned_url('get_object', Params={'Bucket': 'boto3-v2', 'Key': 'dir/hello.txt'})
with urllib.request.urlopen(url) as r:
    print('presigned', r.read().decode())
s3.delete_object(Bucket='boto3-v2', Key='dir/hello.txt')
s3.delete_bucket(Bucket='boto3-v2')
print('deleted')
