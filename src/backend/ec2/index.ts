/**
 * The EC2 Query service (/services/Eucalyptus): its actions, and the namespace each API version
 * answers in.
 */
import { type QueryService } from '../query-service';
import {
  allocateAddress,
  associateAddress,
  describeAddresses,
  disassociateAddress,
  releaseAddress,
} from './addresses/handlers';
import {
  deregisterImage,
  describeImageAttribute,
  describeImages,
  modifyImageAttribute,
  registerImage,
  resetImageAttribute,
} from './images/handlers';
import {
  runInstancesAction,
  describeInstances,
  terminateInstances,
  rebootInstances,
  stopOrStartInstances,
  getConsoleOutput,
  describeInstanceStatus,
  describeInstanceAttribute,
  modifyInstanceAttribute,
  resetInstanceAttribute,
  getPasswordData,
} from './instances/handlers';
import { describeInstanceTypes } from './zones/instance-types-handler';
import { bundleInstance, cancelBundleTask, describeBundleTasks } from './bundle-tasks/handlers';
import {
  authorizeSecurityGroupIngress,
  createSecurityGroup,
  deleteSecurityGroup,
  describeSecurityGroups,
  revokeSecurityGroupIngress,
} from './groups/handlers';
import { createTags, deleteTags, describeTags } from './tags/handlers';
import { createKeyPair, deleteKeyPair, describeKeyPairs, importKeyPair } from './keypairs/handlers';
import { describeAvailabilityZones, describeRegions } from './zones/handlers';
import * as volumes from './volumes/handlers';
import { createImage } from './images/handlers';
import { describeProperties, modifyPropertyValue } from '../properties/handlers';
import { cancelConversionTask, describeConversionTasks, importVolume } from './volumes/import-handlers';

export const ec2Service: QueryService = {
  protocol: 'ec2',
  namespace: (version) => `http://ec2.amazonaws.com/doc/${version}/`,
  actions: {
    DescribeAvailabilityZones: describeAvailabilityZones,
    DescribeRegions: describeRegions,
    RegisterImage: registerImage,
    DeregisterImage: deregisterImage,
    DescribeImages: describeImages,
    DescribeImageAttribute: describeImageAttribute,
    ModifyImageAttribute: modifyImageAttribute,
    ResetImageAttribute: resetImageAttribute,
    RunInstances: runInstancesAction,
    DescribeInstances: describeInstances,
    TerminateInstances: terminateInstances,
    RebootInstances: rebootInstances,
    StopInstances: stopOrStartInstances,
    StartInstances: stopOrStartInstances,
    GetConsoleOutput: getConsoleOutput,
    DescribeInstanceStatus: describeInstanceStatus,
    DescribeInstanceAttribute: describeInstanceAttribute,
    ModifyInstanceAttribute: modifyInstanceAttribute,
    ResetInstanceAttribute: resetInstanceAttribute,
    GetPasswordData: getPasswordData,
    DescribeInstanceTypes: describeInstanceTypes,
    BundleInstance: bundleInstance,
    DescribeBundleTasks: describeBundleTasks,
    CancelBundleTask: cancelBundleTask,
    AllocateAddress: allocateAddress,
    AssociateAddress: associateAddress,
    DisassociateAddress: disassociateAddress,
    ReleaseAddress: releaseAddress,
    DescribeAddresses: describeAddresses,
    CreateKeyPair: createKeyPair,
    ImportKeyPair: importKeyPair,
    DescribeKeyPairs: describeKeyPairs,
    DeleteKeyPair: deleteKeyPair,
    CreateSecurityGroup: createSecurityGroup,
    DeleteSecurityGroup: deleteSecurityGroup,
    DescribeSecurityGroups: describeSecurityGroups,
    AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
    RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
    CreateTags: createTags,
    DeleteTags: deleteTags,
    DescribeTags: describeTags,
    CreateVolume: volumes.createVolume,
    DescribeVolumes: volumes.describeVolumes,
    DeleteVolume: volumes.deleteVolume,
    AttachVolume: volumes.attachVolume,
    DetachVolume: volumes.detachVolume,
    CreateSnapshot: volumes.createSnapshot,
    DescribeSnapshots: volumes.describeSnapshots,
    DeleteSnapshot: volumes.deleteSnapshot,
    DescribeSnapshotAttribute: volumes.describeSnapshotAttribute,
    ModifySnapshotAttribute: volumes.modifySnapshotAttribute,
    ResetSnapshotAttribute: volumes.resetSnapshotAttribute,
    CreateImage: createImage,
    DescribeProperties: describeProperties,
    ModifyPropertyValue: modifyPropertyValue,
    ImportVolume: importVolume,
    DescribeConversionTasks: describeConversionTasks,
    CancelConversionTask: cancelConversionTask,
  },
};
