# A bucket's controls with boto3: Public Access Block (public ACLs refused or disregarded, public
# policies refused or kept to the bucket's account), policy status, and Ownership Controls
# (BucketOwnerPreferred, BucketOwnerEnforced: ACLs off, the bucket owner owns every object).
import json
import os
import requests
from walrus import client, outcome

url = os.environ['S3_URL']



owner = client()
bob = client(os.environ['BOB_KEY'], os.environ['BOB_SECRET'])
ME = os.environ['EC2_ACCOUNT_NUMBER']


code = outcome


def block(bucket, **flags):
    conf = {k: flags.get(k, False) for k in ('BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy',
                                             'RestrictPublicBuckets')}
    owner.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=conf)


public_policy = lambda b: json.dumps({'Statement': [{'Effect': 'Allow', 'Principal': '*', 'Action': 's3:GetObject',
                                                     'Resource': 'arn:aws:s3:::%s/*' % b}]})
pinned_policy = lambda b: json.dumps({'Statement': [{'Effect': 'Allow', 'Principal': '*', 'Action': 's3:GetObject',
                                                     'Resource': 'arn:aws:s3:::%s/*' % b,
                                                     'Condition': {'IpAddress': {'aws:SourceIp': '10.0.0.0/8'}}}]})
anon = lambda b, k: requests.get('%s/%s/%s' % (url, b, k)).status_code

owner.create_bucket(Bucket='pab')
print('no block', code(lambda: owner.get_public_access_block(Bucket='pab')))
owner.put_object(Bucket='pab', Key='open', Body=b'x', ACL='public-read')
block('pab', BlockPublicAcls=True)
got = owner.get_public_access_block(Bucket='pab')['PublicAccessBlockConfiguration']
print('block', got['BlockPublicAcls'], got['IgnorePublicAcls'])
print('public ACLs refused', code(lambda: owner.put_object(Bucket='pab', Key='p', Body=b'x', ACL='public-read')),
      code(lambda: owner.put_object_acl(Bucket='pab', Key='open', ACL='public-read-write')),
      code(lambda: owner.put_bucket_acl(Bucket='pab', ACL='public-read')),
      code(lambda: owner.put_object(Bucket='pab', Key='q', Body=b'x', ACL='private')))
print('existing public ACL', anon('pab', 'open'))
block('pab', IgnorePublicAcls=True)
print('public ACL ignored', anon('pab', 'open'))
owner.delete_public_access_block(Bucket='pab')
print('block removed', anon('pab', 'open'), code(lambda: owner.get_public_access_block(Bucket='pab')))

print('no policy status', code(lambda: owner.get_bucket_policy_status(Bucket='pab')))
owner.put_bucket_policy(Bucket='pab', Policy=pinned_policy('pab'))
print('pinned policy public', owner.get_bucket_policy_status(Bucket='pab')['PolicyStatus']['IsPublic'])
owner.put_bucket_policy(Bucket='pab', Policy=public_policy('pab'))
print('open policy public', owner.get_bucket_policy_status(Bucket='pab')['PolicyStatus']['IsPublic'])
owner.put_object(Bucket='pab', Key='shut', Body=b'x')
print('public by policy', anon('pab', 'shut'), code(lambda: bob.get_object(Bucket='pab', Key='shut')))
block('pab', RestrictPublicBuckets=True)
print('restricted', anon('pab', 'shut'), code(lambda: bob.get_object(Bucket='pab', Key='shut')),
      code(lambda: owner.get_object(Bucket='pab', Key='shut')))
block('pab', BlockPublicPolicy=True)
print('public policy refused', code(lambda: owner.put_bucket_policy(Bucket='pab', Policy=public_policy('pab'))),
      code(lambda: owner.put_bucket_policy(Bucket='pab', Policy=pinned_policy('pab'))))

owner.create_bucket(Bucket='shared-own')
owner.put_bucket_acl(Bucket='shared-own', GrantWrite='id=' + os.environ['BOB_ACCOUNT'])
owner.put_bucket_ownership_controls(Bucket='shared-own', OwnershipControls={
    'Rules': [{'ObjectOwnership': 'BucketOwnerPreferred'}]})
print('ownership', owner.get_bucket_ownership_controls(Bucket='shared-own')['OwnershipControls']['Rules'])
bob.put_object(Bucket='shared-own', Key='given', Body=b'x', ACL='bucket-owner-full-control')
bob.put_object(Bucket='shared-own', Key='kept', Body=b'x')
print('preferred', owner.get_object_acl(Bucket='shared-own', Key='given')['Owner']['ID'] == ME,
      code(lambda: owner.get_object_acl(Bucket='shared-own', Key='kept')))
print('enforced with a shared ACL', code(lambda: owner.put_bucket_ownership_controls(
    Bucket='shared-own', OwnershipControls={'Rules': [{'ObjectOwnership': 'BucketOwnerEnforced'}]})))

owner.create_bucket(Bucket='acls-off', ObjectOwnership='BucketOwnerEnforced')
owner.put_bucket_policy(Bucket='acls-off', Policy=json.dumps({'Statement': [{
    'Effect': 'Allow', 'Principal': {'AWS': os.environ['BOB_ACCOUNT']}, 'Action': 's3:PutObject',
    'Resource': 'arn:aws:s3:::acls-off/*'}]}))
print('acls off', code(lambda: bob.put_object(Bucket='acls-off', Key='b', Body=b'x', ACL='public-read')),
      code(lambda: bob.put_object(Bucket='acls-off', Key='b', Body=b'x', ACL='private')),
      code(lambda: bob.put_object(Bucket='acls-off', Key='b', Body=b'x')),
      code(lambda: owner.put_bucket_acl(Bucket='acls-off', ACL='public-read')))
acl = owner.get_object_acl(Bucket='acls-off', Key='b')
print('bucket owner owns it', acl['Owner']['ID'] == ME, [g['Permission'] for g in acl['Grants']],
      code(lambda: bob.get_object(Bucket='acls-off', Key='b')), code(lambda: owner.get_object(Bucket='acls-off', Key='b')))
