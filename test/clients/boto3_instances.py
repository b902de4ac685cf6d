# boto3 against the embedded cloud: run (tagged as the SDKs tag at launch), describe with a
# filter and with paging, a mistyped filter and a long-form ID refused as EC2 refuses them,
# tags at creation on a volume and refused where this cloud tags nothing, terminate.
import os, sys
import boto3
from botocore.exceptions import ClientError

ec2 = boto3.session.Session(region_name='eucalyptus').client('ec2', endpoint_url=os.environ['EC2_URL'])
image = sys.argv[1]
ran = ec2.run_instances(
    ImageId=image, MinCount=3, MaxCount=3, InstanceType='m1.small',
    TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'web'}]}])
ids = [i['InstanceId'] for i in ran['Instances']]
print('ran', len(ids))
print('tagged at launch', sorted(set(t['Value'] for i in ran['Instances'] for t in i.get('Tags', []))))
named = ec2.describe_instances(Filters=[{'Name': 'tag:Name', 'Values': ['web']}, {'Name': 'instance-id', 'Values': ids}])
print('found by tag', sum(len(r['Instances']) for r in named['Reservations']))

def code(call):
    try:
        call()
        return 'no error'
    except ClientError as e:
        return e.response['Error']['Code']

print('mistyped filter', code(lambda: ec2.describe_instances(Filters=[{'Name': 'instance-typo', 'Values': ['x']}])))
print('long id', code(lambda: ec2.describe_instances(InstanceIds=['i-0123456789abcdef0'])))
print('key pair tags', code(lambda: ec2.create_key_pair(
    KeyName='tagged', TagSpecifications=[{'ResourceType': 'key-pair', 'Tags': [{'Key': 'k', 'Value': 'v'}]}])))
zone = ec2.describe_availability_zones()['AvailabilityZones'][0]['ZoneName']
vol = ec2.create_volume(AvailabilityZone=zone, Size=1,
                        TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'team', 'Value': 'db'}]}])
print('volume tags', [(t['Key'], t['Value']) for t in ec2.describe_tags(
    Filters=[{'Name': 'resource-id', 'Values': [vol['VolumeId']]}])['Tags']])
print('volumes by tag', len(ec2.describe_volumes(Filters=[{'Name': 'tag:team', 'Values': ['db']}])['Volumes']))
by_group = ec2.describe_instances(Filters=[{'Name': 'instance.group-name', 'Values': ['default']}, {'Name': 'instance-id', 'Values': ids}])
print('by instance.group-name', sum(len(r['Instances']) for r in by_group['Reservations']))
by_type = ec2.describe_instances(Filters=[{'Name': 'instance-type', 'Values': ['m1.small']}, {'Name': 'instance-id', 'Values': ids}])
print('filtered', sum(len(r['Instances']) for r in by_type['Reservations']))
pages = ec2.get_paginator('describe_instances').paginate(
    Filters=[{'Name': 'instance-id', 'Values': ids}], PaginationConfig={'PageSize': 5})
print('paged', sum(len(r['Instances']) for page in pages for r in page['Reservations']))
print('ids with MaxResults', code(lambda: ec2.describe_instances(InstanceIds=ids, MaxResults=5)))
ec2.create_tags(Resources=ids, Tags=[{'Key': 'k%d' % n, 'Value': 'v'} for n in range(3)])
tag_pages = list(ec2.get_paginator('describe_tags').paginate(PaginationConfig={'PageSize': 5}))
print('tag pages', len(tag_pages) > 1, sum(len(p['Tags']) for p in tag_pages) >= 12)
status_pages = list(ec2.get_paginator('describe_instance_status').paginate(
    IncludeAllInstances=True, PaginationConfig={'PageSize': 5}))
print('status paged', sum(len(p['InstanceStatuses']) for p in status_pages) >= 3)
print('image created', 'CreationDate' in ec2.describe_images(ImageIds=[image])['Images'][0])
done = ec2.terminate_instances(InstanceIds=ids)
print('terminating', sorted(set(i['CurrentState']['Name'] for i in done['TerminatingInstances'])))
gone = ec2.describe_instances(InstanceIds=ids[:1])['Reservations'][0]['Instances'][0]
print('state reason', gone['StateReason']['Code'], gone['StateTransitionReason'].startswith('User initiated ('))
print('platforms', [v['AttributeValue'] for a in ec2.describe_account_attributes(
    AttributeNames=['supported-platforms'])['AccountAttributes'] for v in a['AttributeValues']])
print('regions', [r['RegionName'] for r in ec2.describe_regions()['Regions']])
print('subnet', code(lambda: ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId='subnet-12345678')))
print('egress', code(lambda: ec2.authorize_security_group_egress(
    GroupId=ec2.describe_security_groups(GroupNames=['default'])['SecurityGroups'][0]['GroupId'],
    IpPermissions=[{'IpProtocol': 'tcp', 'FromPort': 80, 'ToPort': 80, 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]}])))
# A launch's volumes take its TagSpecifications for volumes as they are made.
extra = ec2.run_instances(
    ImageId=image, MinCount=1, MaxCount=1,
    BlockDeviceMappings=[{'DeviceName': '/dev/sdf', 'Ebs': {'VolumeSize': 1, 'DeleteOnTermination': True}}],
    TagSpecifications=[{'ResourceType': 'volume', 'Tags': [{'Key': 'made-by', 'Value': 'launch'}]}])
extra_id = extra['Instances'][0]['InstanceId']
launch_volumes = []
for _ in range(200):
    launch_volumes = ec2.describe_volumes(Filters=[{'Name': 'tag:made-by', 'Values': ['launch']}])['Volumes']
    if launch_volumes:
        break
print('launch volumes tagged', len(launch_volumes),
      [a['InstanceId'] for v in launch_volumes for a in v['Attachments']] in ([extra_id], []))
ec2.terminate_instances(InstanceIds=[extra_id])
spare = sys.argv[2]
ec2.deregister_image(ImageId=spare)
print('deregistered twice', code(lambda: ec2.deregister_image(ImageId=spare)))
