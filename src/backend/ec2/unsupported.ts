/**
 * The EC2 features this cloud does not have, by the actions and request members that ask for
 * them: VPC (subnets, network interfaces, egress rules, VPC addresses), IAM instance profiles,
 * dedicated tenancy, EBS optimization, provisioned IOPS, and the newer launch options. A request
 * that asks for one is refused with `Unsupported`, naming the feature: never ignored (a launch
 * "into a subnet" that silently lands outside it would be worse than no launch), never half done.
 */
import { type AskingMember as Member, firstAsking } from '../asked-features';
import { ServiceError } from '../errors';

const VPC = 'VPC (Virtual Private Cloud)';

/** Actions of features this cloud lacks, served by no handler: the feature each belongs to. */
const ACTIONS: Record<string, string> = {
  AuthorizeSecurityGroupEgress: `egress rules (${VPC})`,
  RevokeSecurityGroupEgress: `egress rules (${VPC})`,
};

const present = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
const ENCRYPTION = 'encrypted EBS volumes';
const PLACEMENT = 'placement groups, dedicated hosts and zone IDs';
const isTrue = (v: unknown) => v === true || v === 'true';
const provisionedIops = (v: unknown) => typeof v === 'string' && /^io/.test(v);

/** Launch options of newer EC2 this cloud has none of, named as the API names them. */
const NEWER_LAUNCH_OPTIONS = [
  'Ipv6AddressCount',
  'Ipv6Addresses',
  'ElasticGpuSpecification',
  'ElasticInferenceAccelerators',
  'LaunchTemplate',
  'InstanceMarketOptions',
  'CreditSpecification',
  'CpuOptions',
  'CapacityReservationSpecification',
  'HibernationOptions',
  'LicenseSpecifications',
  'MetadataOptions',
  'EnclaveOptions',
  'EnablePrimaryIpv6',
].map((path) => ({ path, feature: path }));

const MEMBERS: Record<string, Member[]> = {
  RunInstances: [
    { path: 'SubnetId', feature: `subnets (${VPC})` },
    { path: 'NetworkInterfaces', feature: `network interfaces (${VPC})` },
    { path: 'PrivateIpAddress', feature: `chosen private IP addresses (${VPC})` },
    { path: 'IamInstanceProfile', feature: 'IAM instance profiles' },
    { path: 'Placement.Tenancy', feature: 'dedicated tenancy', asks: (v) => v !== 'default' },
    { path: 'EbsOptimized', feature: 'EBS-optimized instances', asks: isTrue },
    { path: 'Placement.GroupName', feature: PLACEMENT },
    { path: 'Placement.HostId', feature: PLACEMENT },
    { path: 'Placement.Affinity', feature: PLACEMENT },
    { path: 'Placement.AvailabilityZoneId', feature: PLACEMENT },
    { path: 'Placement.PartitionNumber', feature: PLACEMENT },
    { path: 'Placement.HostResourceGroupArn', feature: PLACEMENT },
    { path: 'Placement.SpreadDomain', feature: PLACEMENT },
    { path: 'Monitoring.Enabled', feature: 'detailed monitoring (CloudWatch)', asks: isTrue },
    { path: 'DisableApiStop', feature: 'stop protection', asks: isTrue },
    { path: 'SecondaryInterfaces', feature: `network interfaces (${VPC})` },
    ...ebsVolumeOptions('BlockDeviceMappings.*.Ebs.'),
    ...NEWER_LAUNCH_OPTIONS,
  ],
  CreateVolume: [
    ...ebsVolumeOptions(''),
    { path: 'MultiAttachEnabled', feature: 'multi-attach volumes', asks: isTrue },
  ],
  CreateImage: ebsVolumeOptions('BlockDeviceMappings.*.Ebs.'),
  RegisterImage: ebsVolumeOptions('BlockDeviceMappings.*.Ebs.'),
  AllocateAddress: [{ path: 'Domain', feature: `VPC addresses (${VPC})`, asks: (v) => v === 'vpc' }],
  AssociateAddress: [
    { path: 'AllocationId', feature: `address allocation IDs (${VPC})` },
    { path: 'NetworkInterfaceId', feature: `network interfaces (${VPC})` },
    { path: 'PrivateIpAddress', feature: `private IP addresses of network interfaces (${VPC})` },
    { path: 'AllowReassociation', feature: `reassociation control (${VPC})` },
  ],
  DisassociateAddress: [{ path: 'AssociationId', feature: `address association IDs (${VPC})` }],
  ReleaseAddress: [{ path: 'AllocationId', feature: `address allocation IDs (${VPC})` }],
  CreateSecurityGroup: [{ path: 'VpcId', feature: `security groups in a VPC (${VPC})` }],
  ModifyInstanceAttribute: [
    { path: 'DisableApiStop', feature: 'stop protection' },
    { path: 'SourceDestCheck', feature: `source/destination checking (${VPC})` },
    { path: 'Groups', feature: `changing an instance's security groups (${VPC})` },
    { path: 'EbsOptimized', feature: 'EBS-optimized instances' },
    { path: 'SriovNetSupport', feature: 'enhanced networking (SR-IOV)' },
    { path: 'EnaSupport', feature: 'enhanced networking (ENA)' },
    { path: 'Attribute', feature: `source/destination checking (${VPC})`, asks: (v) => v === 'sourceDestCheck' },
  ],
  DescribeInstanceAttribute: [
    { path: 'Attribute', feature: `source/destination checking (${VPC})`, asks: (v) => v === 'sourceDestCheck' },
    { path: 'Attribute', feature: 'enhanced networking (SR-IOV)', asks: (v) => v === 'sriovNetSupport' },
  ],
  ResetInstanceAttribute: [
    { path: 'Attribute', feature: `source/destination checking (${VPC})`, asks: (v) => v === 'sourceDestCheck' },
  ],
};

/** What an EBS volume may ask for that this cloud's volumes have not: IOPS, throughput, encryption. */
function ebsVolumeOptions(at: string): Member[] {
  return [
    { path: `${at}Iops`, feature: 'provisioned IOPS' },
    { path: `${at}VolumeType`, feature: 'provisioned IOPS', asks: provisionedIops },
    { path: `${at}Throughput`, feature: 'provisioned throughput' },
    { path: `${at}Encrypted`, feature: ENCRYPTION, asks: isTrue },
    { path: `${at}KmsKeyId`, feature: ENCRYPTION },
  ];
}

function refuse(feature: string, asked: string): never {
  throw new ServiceError('Unsupported', `This cloud does not support ${feature} (${asked}).`);
}

/** Refuses an action of a missing feature; returns when the action is not one. */
export function refuseUnsupportedAction(action: string): void {
  if (Object.hasOwn(ACTIONS, action)) refuse(ACTIONS[action], action);
}

/** Refuses a request that asks for a missing feature; returns when it asks for none. */
export function refuseUnsupportedMembers(action: string, input: Record<string, unknown>): void {
  const asked = firstAsking(input, MEMBERS[action] ?? [], present);
  if (asked) refuse(asked.feature, asked.path);
}
