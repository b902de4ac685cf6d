# Bucket policies with the condition keys S3 defines, as another account's user meets them:
# s3:prefix, s3:max-keys, s3:ExistingObjectTag/, s3:RequestObjectTag/, s3:x-amz-acl,
# s3:x-amz-copy-source, aws:Referer, an ...IfExists operator; resources like arn:aws:s3:::* and a
# Service principal accepted as S3 accepts them.
import json
import os
import requests
from walrus import client, outcome

url = os.environ['S3_URL']



owner = client()
bob = client(os.environ['BOB_KEY'], os.environ['BOB_SECRET'])
BOB = os.environ['BOB_ACCOUNT']


code = outcome


def policy(*statements):
    owner.put_bucket_policy(Bucket='pol', Policy=json.dumps({'Version': '2012-10-17', 'Statement': list(statements)}))


def allow(action, condition, resource='arn:aws:s3:::pol/*', principal=None):
    return {'Effect': 'Allow', 'Principal': principal or {'AWS': BOB}, 'Action': action, 'Resource': resource,
            'Condition': condition}


owner.create_bucket(Bucket='pol')
for key, tags in (('public/a', 'share=yes'), ('private/b', 'share=no'), ('src/c', '')):
    owner.put_object(Bucket='pol', Key=key, Body=b'x', Tagging=tags)

policy(allow('s3:ListBucket', {'StringEquals': {'s3:prefix': 'public/'}}, 'arn:aws:s3:::pol'))
print('s3:prefix', code(lambda: bob.list_objects_v2(Bucket='pol', Prefix='public/')),
      code(lambda: bob.list_objects_v2(Bucket='pol', Prefix='private/')), code(lambda: bob.list_objects_v2(Bucket='pol')))
policy(allow('s3:ListBucket', {'NumericLessThanEquals': {'s3:max-keys': '10'}}, 'arn:aws:s3:::pol'))
print('s3:max-keys', code(lambda: bob.list_objects(Bucket='pol', MaxKeys=5)),
      code(lambda: bob.list_objects(Bucket='pol', MaxKeys=100)))
policy(allow('s3:GetObject', {'StringEquals': {'s3:ExistingObjectTag/share': 'yes'}}))
print('s3:ExistingObjectTag', code(lambda: bob.get_object(Bucket='pol', Key='public/a')),
      code(lambda: bob.get_object(Bucket='pol', Key='private/b')))
policy(allow('s3:PutObject', {'StringEquals': {'s3:RequestObjectTag/team': 'blue'}}))
print('s3:RequestObjectTag', code(lambda: bob.put_object(Bucket='pol', Key='t1', Body=b'x', Tagging='team=blue')),
      code(lambda: bob.put_object(Bucket='pol', Key='t2', Body=b'x', Tagging='team=red')))
policy(allow('s3:PutObject', {'StringEquals': {'s3:x-amz-acl': 'bucket-owner-full-control'}}))
print('s3:x-amz-acl', code(lambda: bob.put_object(Bucket='pol', Key='a1', Body=b'x', ACL='bucket-owner-full-control')),
      code(lambda: bob.put_object(Bucket='pol', Key='a2', Body=b'x')))
policy(allow('s3:PutObject', {'StringEqualsIfExists': {'s3:x-amz-acl': 'bucket-owner-full-control'}}))
print('IfExists', code(lambda: bob.put_object(Bucket='pol', Key='e1', Body=b'x')),
      code(lambda: bob.put_object(Bucket='pol', Key='e2', Body=b'x', ACL='public-read')))
policy(allow('s3:PutObject', {'StringLike': {'s3:x-amz-copy-source': 'pol/src/*'}}),
       allow('s3:GetObject', {'Bool': {'aws:SecureTransport': 'false'}}))
print('s3:x-amz-copy-source', code(lambda: bob.copy_object(Bucket='pol', Key='c1', CopySource='pol/src/c')),
      code(lambda: bob.copy_object(Bucket='pol', Key='c2', CopySource='pol/public/a')))
policy(allow('s3:GetObject', {'StringLike': {'aws:Referer': 'https://site.example/*'}}, principal='*'))
print('aws:Referer', requests.get(url + '/pol/public/a', headers={'Referer': 'https://site.example/page'}).status_code,
      requests.get(url + '/pol/public/a').status_code)
print('arn:aws:s3:::* and a Service principal', code(lambda: policy(
    {'Effect': 'Allow', 'Principal': {'Service': 'logging.s3.amazonaws.com'}, 'Action': 's3:PutObject',
     'Resource': 'arn:aws:s3:::*'})), code(lambda: bob.put_object(Bucket='pol', Key='svc', Body=b'x')),
      code(lambda: policy(allow('s3:GetObject', {}, 'arn:aws:s3:::other/*'))))

# Another account's policies never see this bucket's object tags: a user there whose own policy
# denies reads of objects tagged share=yes learns nothing of them (its Deny cannot match).
prober = client(os.environ['PROBER_KEY'], os.environ['PROBER_SECRET'])
owner.delete_bucket_policy(Bucket='pol')
owner.put_object(Bucket='pol', Key='open', Body=b'x', Tagging='share=yes', ACL='public-read')
print('tags of another account', code(lambda: prober.get_object(Bucket='pol', Key='open')))
