# boto3 against the embedded cloud, Signature V4: the EC2 calls, and a presigned S3 URL.
import os, urllib.request
import boto3
from botocore.config import Config

s = boto3.session.Session(region_name='eucalyptus')
ec2 = s.client('ec2', endpoint_url=os.environ['EC2_URL'])
print('zones', ' '.join('%s:%s' % (z['ZoneName'], z['State']) for z in ec2.describe_availability_zones()['AvailabilityZones']))
print('regions', ','.join(r['RegionName'] for r in ec2.describe_regions()['Regions']))
s3 = s.client('s3', endpoint_url=os.environ['S3_URL'], config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
url = s3.generate_presigned_url('list_buckets', ExpiresIn=300)
with urllib.request.urlopen(url) as r:
    body = r.read().decode()
    print('presigned', r.status, 'ListAllMyBucketsResult' if 'ListAllMyBucketsResult' in body else body)
