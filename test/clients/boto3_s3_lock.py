# Object Lock against Walrus with boto3: a bucket made with it (versioned for good), default
# retention, GOVERNANCE (lifted only with the bypass header and the permission) and COMPLIANCE
# (by nobody) retentions, legal holds, and what a lock refuses: deleting a protected version,
# weakening its retention, suspending versioning; asking for a lock where there is none.
import datetime
import json
import os
from walrus import client, outcome



s3 = client()
# A user of the same account with every S3 permission but the bypass.
worker = client(os.environ['WORKER_KEY'], os.environ['WORKER_SECRET'])


def code(call):
    return outcome(call, status=True)


soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
later = soon + datetime.timedelta(days=1)

s3.create_bucket(Bucket='plain-lockless')
print('lock where there is none', code(lambda: s3.put_object(
    Bucket='plain-lockless', Key='k', Body=b'x', ObjectLockMode='GOVERNANCE', ObjectLockRetainUntilDate=soon)),
    code(lambda: s3.get_object_lock_configuration(Bucket='plain-lockless')))
print('lock on an unversioned bucket', code(lambda: s3.put_object_lock_configuration(
    Bucket='plain-lockless', ObjectLockConfiguration={'ObjectLockEnabled': 'Enabled'})))

s3.create_bucket(Bucket='vault', ObjectLockEnabledForBucket=True)
print('versioned for good', s3.get_bucket_versioning(Bucket='vault')['Status'],
      code(lambda: s3.put_bucket_versioning(Bucket='vault', VersioningConfiguration={'Status': 'Suspended'})))
print('configuration', s3.get_object_lock_configuration(Bucket='vault')['ObjectLockConfiguration'])

gov = s3.put_object(Bucket='vault', Key='gov', Body=b'g', ObjectLockMode='GOVERNANCE',
                    ObjectLockRetainUntilDate=soon)['VersionId']
head = s3.head_object(Bucket='vault', Key='gov')
print('head', head['ObjectLockMode'], head['ObjectLockRetainUntilDate'].date() == soon.date())
print('delete the key: a marker', 'DeleteMarker' in s3.delete_object(Bucket='vault', Key='gov'))
print('delete the version', code(lambda: s3.delete_object(Bucket='vault', Key='gov', VersionId=gov)),
      code(lambda: worker.delete_object(Bucket='vault', Key='gov', VersionId=gov, BypassGovernanceRetention=True)))
print('shorten without bypass', code(lambda: s3.put_object_retention(
    Bucket='vault', Key='gov', VersionId=gov, Retention={'Mode': 'GOVERNANCE', 'RetainUntilDate': soon
                                                         - datetime.timedelta(hours=1)})))
print('extend', code(lambda: s3.put_object_retention(
    Bucket='vault', Key='gov', VersionId=gov, Retention={'Mode': 'GOVERNANCE', 'RetainUntilDate': later})),
    s3.get_object_retention(Bucket='vault', Key='gov', VersionId=gov)['Retention']['RetainUntilDate'].date()
    == later.date())
print('delete with bypass', code(lambda: s3.delete_object(Bucket='vault', Key='gov', VersionId=gov,
                                                           BypassGovernanceRetention=True)))

comp = s3.put_object(Bucket='vault', Key='comp', Body=b'c', ObjectLockMode='COMPLIANCE',
                     ObjectLockRetainUntilDate=soon)['VersionId']
print('compliance', code(lambda: s3.delete_object(Bucket='vault', Key='comp', VersionId=comp,
                                                  BypassGovernanceRetention=True)),
      code(lambda: s3.put_object_retention(Bucket='vault', Key='comp', VersionId=comp, BypassGovernanceRetention=True,
                                           Retention={'Mode': 'GOVERNANCE', 'RetainUntilDate': soon})))
multi = s3.delete_objects(Bucket='vault', Delete={'Objects': [{'Key': 'comp', 'VersionId': comp}]})
print('multi-object delete', [(e['Code'], e['VersionId'] == comp) for e in multi.get('Errors', [])])

held = s3.put_object(Bucket='vault', Key='held', Body=b'h', ObjectLockLegalHoldStatus='ON')['VersionId']
print('legal hold', s3.get_object_legal_hold(Bucket='vault', Key='held')['LegalHold']['Status'],
      code(lambda: s3.delete_object(Bucket='vault', Key='held', VersionId=held, BypassGovernanceRetention=True)))
s3.put_object_legal_hold(Bucket='vault', Key='held', VersionId=held, LegalHold={'Status': 'OFF'})
print('hold lifted', code(lambda: s3.delete_object(Bucket='vault', Key='held', VersionId=held)))
s3.put_object(Bucket='vault', Key='free', Body=b'f')
print('no retention', code(lambda: s3.get_object_retention(Bucket='vault', Key='free')),
      code(lambda: s3.put_object(Bucket='vault', Key='half', Body=b'x', ObjectLockMode='GOVERNANCE')))

s3.put_object_lock_configuration(Bucket='vault', ObjectLockConfiguration={
    'ObjectLockEnabled': 'Enabled', 'Rule': {'DefaultRetention': {'Mode': 'GOVERNANCE', 'Days': 1}}})
v = s3.put_object(Bucket='vault', Key='defaulted', Body=b'd')['VersionId']
head = s3.head_object(Bucket='vault', Key='defaulted')
print('default retention', head['ObjectLockMode'], code(lambda: s3.delete_object(Bucket='vault', Key='defaulted',
                                                                                   VersionId=v)))
up = s3.create_multipart_upload(Bucket='vault', Key='mp', ObjectLockMode='COMPLIANCE', ObjectLockRetainUntilDate=soon)
part = s3.upload_part(Bucket='vault', Key='mp', UploadId=up['UploadId'], PartNumber=1, Body=b'm')
done = s3.complete_multipart_upload(Bucket='vault', Key='mp', UploadId=up['UploadId'], MultipartUpload={
    'Parts': [{'PartNumber': 1, 'ETag': part['ETag']}]})
print('multipart', s3.head_object(Bucket='vault', Key='mp')['ObjectLockMode'],
      code(lambda: s3.delete_object(Bucket='vault', Key='mp', VersionId=done['VersionId'],
                                    BypassGovernanceRetention=True)))

# Lifting a protection takes a policy, never an ACL grant: another account with WRITE on the
# bucket, and anyone on a public object, are refused.
other = client(os.environ['OTHER_KEY'], os.environ['OTHER_SECRET'])
held2 = s3.put_object(Bucket='vault', Key='held2', Body=b'h', ObjectLockLegalHoldStatus='ON')['VersionId']
s3.put_bucket_acl(Bucket='vault', GrantWrite='id=' + os.environ['OTHER_ACCOUNT'], GrantRead='id=' + os.environ['OTHER_ACCOUNT'])
s3.put_object_acl(Bucket='vault', Key='held2', VersionId=held2, GrantRead='id=' + os.environ['OTHER_ACCOUNT'])
print('by ACL grants', code(lambda: other.delete_object(Bucket='vault', Key='defaulted', VersionId=v,
                                                         BypassGovernanceRetention=True)),
      code(lambda: other.put_object_legal_hold(Bucket='vault', Key='held2', VersionId=held2,
                                               LegalHold={'Status': 'OFF'})),
      code(lambda: other.put_object_retention(Bucket='vault', Key='defaulted', VersionId=v,
                                              BypassGovernanceRetention=True, Retention={})))
