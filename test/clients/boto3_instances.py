# boto3 against the embedded cloud: run, describe with a filter and with paging, terminate.
import os, sys
import boto3

ec2 = boto3.session.Session(region_name='eucalyptus').client('ec2', endpoint_url=os.environ['EC2_URL'])
image = sys.argv[1]
ran = ec2.run_instances(ImageId=image, MinCount=3, MaxCount=3, InstanceType='m1.small')
ids = [i['InstanceId'] for i in ran['Instances']]
print('ran', len(ids))
by_type = ec2.describe_instances(Filters=[{'Name': 'instance-type', 'Values': ['m1.small']}, {'Name': 'instance-id', 'Values': ids}])
print('filtered', sum(len(r['Instances']) for r in by_type['Reservations']))
pages = ec2.get_paginator('describe_instances').paginate(InstanceIds=ids, PaginationConfig={'PageSize': 5})
print('paged', sum(len(r['Instances']) for page in pages for r in page['Reservations']))
done = ec2.terminate_instances(InstanceIds=ids)
print('terminating', sorted(set(i['CurrentState']['Name'] for i in done['TerminatingInstances'])))
