/**
 * Instances, apart from the wire: running (launch.ts), describing (ids, filters, paging, and
 * `verbose` for the cloud administrator: every account), terminating, rebooting, stopping and
 * starting (stop-start.ts), console output, status, attributes and Windows password data, and
 * what happens when a node loses one (node-loss.ts). Every method takes typed arguments and the
 * principal asking; the instances it acts on are the principal's own.
 */
import type { Jobs } from '../../jobs';
import { invalidParameter, ServiceError } from '../../errors';
import * as ids from '../../ids';
import { isCloudAdmin } from '../../iam/principals';
import { applyFilters, type Filter, matchingNothing, pageOf } from '../../query-params';
import type { Principal } from '../../store/types';
import type { ImageStore } from '../images/store';
import { tagFilterFields } from '../tags/filters';
import type { Tag, TagStore } from '../tags/store';
import type { Volume } from '../../storage/store';
import type { VolumeService } from '../volumes/service';
import type { SnapshotService } from '../volumes/snapshots';
import { type LaunchResult, MAX_USER_DATA, type RunInput, runInstances, usableImage } from './launch';
import { endInstance, giveBack } from './lifecycle';
import { loseInstance } from './node-loss';
import type { ComputeServices } from './services';
import { startInstances, stopInstances } from './stop-start';
import { type Instance, type InstanceStore, STATE_CODES, userInitiated } from './store';
import { stateOf } from './view';

const ID = ids.idPattern('i');

export interface InstanceServiceDeps {
  instances: InstanceStore;
  compute: ComputeServices;
  images: ImageStore;
  volumes: VolumeService;
  /** Which snapshots a launch's volumes may be made of. */
  snapshots: Pick<SnapshotService, 'launchSnapshot'>;
  tags: TagStore;
  /** A cloud property's value, when set (cloud.images.defaultkernel, ...). */
  property(name: string): Promise<string | undefined>;
  /** What describes report as the hypervisor (HYPERVISOR in the cloud's eucalyptus.conf). */
  hypervisor(): string;
  /** Claims the background jobs (launches, terminations, stops) for this front end. */
  jobs: Jobs;
  log(line: string): void;
}

/** An instance's state change, as Start/Stop/TerminateInstances answer it. */
export type StateChange = {
  instanceId: string;
  previousState: { code: number; name: string };
  currentState: { code: number; name: string };
};

export interface InstanceQuery {
  ids: string[];
  /** Every account's instances (the cloud administrator's `verbose`). */
  verbose: boolean;
  filters: Filter[];
  maxResults?: number;
  nextToken?: string;
}

const FILTERS: Record<string, (i: Instance) => string | string[] | undefined> = {
  'instance-id': (i) => i.id,
  'instance-state-name': (i) => i.state,
  'instance-state-code': (i) => String(STATE_CODES[i.state]),
  'image-id': (i) => i.imageId,
  'kernel-id': (i) => i.kernelId,
  'ramdisk-id': (i) => i.ramdiskId,
  'key-name': (i) => i.keyName,
  'instance-type': (i) => i.instanceType,
  'availability-zone': (i) => i.zone,
  'ip-address': (i) => i.publicIp,
  'private-ip-address': (i) => i.privateIp,
  'reservation-id': (i) => i.reservationId,
  'group-name': (i) => i.groupName,
  'group-id': (i) => i.groupId,
  'instance.group-name': (i) => i.groupName,
  'instance.group-id': (i) => i.groupId,
  'dns-name': (i) => i.publicIp,
  'private-dns-name': (i) => i.privateIp,
  'launch-time': (i) => i.launchTime,
  'root-device-name': (i) => i.rootDeviceName,
  'client-token': (i) => i.clientToken,
  'state-reason-message': (i) => i.stateReason,
  'state-reason-code': (i) => i.stateReason?.split(':')[0],
  reason: (i) => i.stateReason,
  'virtualization-type': () => 'paravirtual',
  'monitoring-state': () => 'disabled',
  tenancy: () => 'default',
  // Features this cloud has not (VPC, network interfaces, instance profiles, spot instances,
  // product codes, placement groups): these match no instance, and are not refused as unknown.
  ...matchingNothing<Instance>(
    'vpc-id',
    'subnet-id',
    'association.allocation-id',
    'association.association-id',
    'association.ip-owner-id',
    'association.public-ip',
    'iam-instance-profile.arn',
    'instance-lifecycle',
    'spot-instance-request-id',
    'requester-id',
    'product-code',
    'product-code.type',
    'placement-group-name',
    ...[
      'addresses.association.ip-owner-id',
      'addresses.association.public-ip',
      'addresses.primary',
      'addresses.private-ip-address',
      'attachment.device-index',
      'attachment.attach-time',
      'attachment.attachment-id',
      'attachment.delete-on-termination',
      'attachment.instance-owner-id',
      'attachment.status',
      'availability-zone',
      'description',
      'group-id',
      'group-name',
      'mac-address',
      'network-interface.id',
      'owner-id',
      'private-dns-name',
      'requester-id',
      'requester-managed',
      'source-destination-check',
      'status',
      'subnet-id',
      'vpc-id',
    ].map((n) => `network-interface.${n}`),
  ),
  'owner-id': (i) => i.accountId,
  'launch-index': (i) => String(i.launchIndex),
  architecture: (i) => i.architecture,
  platform: (i) => i.platform,
  'root-device-type': (i) => i.rootDeviceType ?? 'instance-store',
};

/**
 * An instance's health as DescribeInstanceStatus reports it (the same for its system and itself):
 * ok and reachable while running, not applicable otherwise.
 */
export function healthOf(i: Instance): { status: string; reachability: string } {
  return i.state === 'running'
    ? { status: 'ok', reachability: 'passed' }
    : { status: 'not-applicable', reachability: 'initializing' };
}

/** The block-device-mapping.* filters: an instance's attached volumes, as its blockDeviceMapping shows them. */
function deviceFilterFields(volumesOf: (i: Instance) => Volume[]) {
  const each = (pick: (v: Volume) => string | undefined) => (i: Instance) =>
    volumesOf(i)
      .map(pick)
      .filter((s): s is string => s !== undefined);
  return {
    'block-device-mapping.attach-time': each((v) => v.attachment?.time),
    'block-device-mapping.delete-on-termination': each((v) => String(v.attachment?.deleteOnTermination ?? false)),
    'block-device-mapping.device-name': each((v) => v.attachment?.device),
    'block-device-mapping.status': each((v) => v.attachment?.status),
    'block-device-mapping.volume-id': each((v) => v.id),
  };
}

/** What ModifyInstanceAttribute may change now, and what it asked to change that needs a stopped instance. */
export interface InstanceChanges {
  disableApiTermination?: boolean;
  shutdownBehavior?: string;
  /** Whether the volume at each device goes when the instance terminates. */
  deleteOnTermination?: { device: string; deleteOnTermination: boolean }[];
  /** What changes only while the instance is stopped, taking effect when it starts. */
  whileStopped: { instanceType?: string; kernelId?: string; ramdiskId?: string; userData?: string };
}

export class InstanceService {
  constructor(private readonly d: InstanceServiceDeps) {}

  hypervisor(): string {
    return this.d.hypervisor();
  }

  async run(p: Principal, input: RunInput): Promise<LaunchResult> {
    return runInstances(this.d, p, input);
  }

  /** The principal's instances named (all must exist; malformed ids refused), or all of them. */
  async selected(p: Principal, ids: string[], allAccounts = false): Promise<Instance[]> {
    for (const id of ids)
      if (!ID.test(id)) throw new ServiceError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
    const account = allAccounts ? undefined : p.account.id;
    const found = await this.d.instances.list({ accountId: account, ids: ids.length ? ids : undefined });
    const missing = ids.filter((id) => !found.some((i) => i.id === id));
    if (missing.length)
      throw new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${missing.join(', ')}' does not exist`);
    return found;
  }

  private async one(p: Principal, id: string): Promise<Instance> {
    return (await this.selected(p, [id]))[0];
  }

  /** DescribeInstances: a page of instances with the public address each shows now, their tags and volumes. */
  async describe(
    p: Principal,
    q: InstanceQuery,
  ): Promise<{ instances: Instance[]; tags: Map<string, Tag[]>; volumes: Map<string, Volume[]>; nextToken?: string }> {
    const allAccounts = q.verbose && isCloudAdmin({ principal: p });
    const narrowed = allAccounts || q.ids.length ? undefined : await this.taggedIds(p, q.filters);
    let found = !narrowed
      ? await this.selected(p, q.ids, allAccounts)
      : narrowed.length
        ? await this.d.instances.list({ accountId: p.account.id, ids: narrowed })
        : [];
    const tags = await this.d.tags.forResources(
      p.account.id,
      found.map((i) => i.id),
    );
    const volumes = await this.d.volumes.attachments();
    const hypervisor = this.hypervisor();
    found = applyFilters(found, q.filters, {
      ...FILTERS,
      hypervisor: () => hypervisor,
      ...deviceFilterFields((i: Instance) => volumes.get(i.id) ?? []),
      ...tagFilterFields(q.filters, (i: Instance) => tags.get(i.id) ?? []),
    });
    const { items, nextToken } = pageOf(found, q);
    const shown = await this.d.compute.publicAddresses();
    const page = items.map((i) => withPublicAddress(i, shown.get(i.id)));
    return { instances: page, tags, volumes, nextToken };
  }

  /** TerminateInstances: every instance is checked before any changes (a refused request changes nothing). */
  async terminate(p: Principal, ids: string[]): Promise<StateChange[]> {
    const instances = await this.selected(p, ids);
    const protectedOne = instances.find(
      (i) => i.disableApiTermination && i.state !== 'terminated' && i.state !== 'shutting-down',
    );
    if (protectedOne)
      throw new ServiceError(
        'OperationNotPermitted',
        `The instance '${protectedOne.id}' may not be terminated. Modify its 'disableApiTermination' attribute ` +
          `and try again.`,
      );
    const { compute } = this.d;
    const changes: StateChange[] = [];
    for (const i of instances) {
      const previous = stateOf(i);
      if (i.state === 'terminated' || i.state === 'shutting-down') {
        changes.push({ instanceId: i.id, previousState: previous, currentState: previous });
        continue;
      }
      // Only the request that moves it gives its place and addresses back (another may have just now).
      if (!(await this.d.instances.updateIf(i.id, [i.state], { state: 'shutting-down', ...userInitiated() }))) {
        const now = await this.d.instances.get(i.id);
        const state = now ? stateOf(now) : previous;
        changes.push({ instanceId: i.id, previousState: state, currentState: state });
        continue;
      }
      // Capacity and addresses come back at once; the node finishes the shutdown on its own.
      await giveBack(compute, i);
      const done = () =>
        endInstance(this.d, i, { gaveBack: true }).catch((e: Error) =>
          this.d.log(`${i.id}: not recorded as terminated: ${e.message}`),
        );
      this.d.jobs.track(i.id, i.node ? compute.nodes.terminateInstance(i.node, i.id).then(done, done) : done());
      changes.push({
        instanceId: i.id,
        previousState: previous,
        currentState: { code: STATE_CODES['shutting-down'], name: 'shutting-down' },
      });
    }
    return changes;
  }

  async reboot(p: Principal, ids: string[]): Promise<void> {
    const running = (await this.selected(p, ids)).filter((i) => i.state === 'running' && i.node);
    await Promise.all(running.map((i) => this.d.compute.nodes.rebootInstance(i.node!, i.id)));
  }

  async stop(p: Principal, ids: string[]): Promise<StateChange[]> {
    return stopInstances(this.d, await this.selected(p, ids));
  }

  async start(p: Principal, ids: string[]): Promise<StateChange[]> {
    return startInstances(this.d, await this.selected(p, ids));
  }

  /** An instance its node no longer runs: stopped (EBS) or terminated, its data kept (node-loss.ts). */
  lose(i: Instance, why: string): Promise<void> {
    return loseInstance(this.d, i, why);
  }

  /** Ends an instance whose termination a restart cut short (recovery). */
  finishTermination(i: Instance): Promise<void> {
    return endInstance(this.d, i, { gaveBack: true });
  }

  async consoleOutput(p: Principal, id: string): Promise<{ instanceId: string; timestamp: string; output: string }> {
    const i = await this.one(p, id);
    const timestamp = new Date().toISOString();
    if (!i.node || i.state === 'terminated') return { instanceId: i.id, timestamp, output: '' };
    const { output, timestamp: at } = await this.d.compute.nodes.consoleOutput(i.node, i.id);
    return { instanceId: i.id, timestamp: at || timestamp, output };
  }

  /** DescribeInstanceStatus: the running instances (all of them with includeAll), filtered. */
  /** DescribeInstanceStatus: a page of the instances' states (running ones, or all). */
  async status(
    p: Principal,
    q: { ids: string[]; includeAll: boolean; filters: Filter[]; maxResults?: number; nextToken?: string },
  ): Promise<{ instances: Instance[]; nextToken?: string }> {
    const found = (await this.selected(p, q.ids)).filter((i) => q.includeAll || i.state === 'running');
    const { items, nextToken } = pageOf(
      applyFilters(found, q.filters, {
        'availability-zone': (i) => i.zone,
        'instance-state-name': (i) => i.state,
        'instance-state-code': (i) => String(STATE_CODES[i.state]),
        'instance-status.status': (i) => healthOf(i).status,
        'instance-status.reachability': (i) => healthOf(i).reachability,
        'system-status.status': (i) => healthOf(i).status,
        'system-status.reachability': (i) => healthOf(i).reachability,
        // No scheduled events here.
        ...matchingNothing<Instance>('event.code', 'event.description', 'event.not-after', 'event.not-before'),
      }),
      q,
    );
    return { instances: items, nextToken };
  }

  /** The volumes attached to an instance. */
  async volumesOf(i: Instance): Promise<Volume[]> {
    return (await this.d.volumes.attachments()).get(i.id) ?? [];
  }

  /** One of the principal's instances, for DescribeInstanceAttribute. */
  async get(p: Principal, id: string): Promise<Instance> {
    return this.one(p, id);
  }

  /**
   * ModifyInstanceAttribute: termination protection and shutdown behaviour at any time; the type,
   * kernel, ramdisk and user data only while the instance is stopped (they take effect when it
   * starts). Everything asked is checked before anything changes.
   */
  async modifyAttribute(p: Principal, id: string, c: InstanceChanges): Promise<void> {
    const i = await this.one(p, id);
    const { disableApiTermination: disable, shutdownBehavior: behavior } = c;
    const later = Object.fromEntries(Object.entries(c.whileStopped).filter(([, v]) => v !== undefined));
    const named =
      Object.keys(later).length +
      (disable !== undefined ? 1 : 0) +
      (behavior !== undefined ? 1 : 0) +
      (c.deleteOnTermination?.length ? 1 : 0);
    if (!named) throw new ServiceError('MissingParameter', 'The request must name an attribute to modify');
    // As EC2: one attribute a request, so that a request is done whole or not at all.
    if (named > 1)
      throw new ServiceError('InvalidParameterCombination', 'Only one attribute can be modified at a time');
    if (Object.keys(later).length && i.state !== 'stopped')
      throw new ServiceError(
        'IncorrectInstanceState',
        `The instance '${i.id}' is not in the 'stopped' state; ` +
          `its ${Object.keys(later).join(', ')} can change only while it is stopped.`,
      );
    if (behavior !== undefined && behavior !== 'stop' && behavior !== 'terminate')
      throw invalidParameter('InstanceInitiatedShutdownBehavior', behavior, 'It is stop or terminate.');
    const { instanceType, kernelId, ramdiskId, userData } = c.whileStopped;
    if (instanceType !== undefined && !(await this.d.compute.vmType(instanceType)))
      throw invalidParameter('InstanceType', instanceType, 'It is not a VM type of this cloud.');
    // A kernel or ramdisk the principal may launch with, as RunInstances checks them.
    if (kernelId !== undefined) await usableImage(this.d, p, kernelId, 'kernel');
    if (ramdiskId !== undefined) await usableImage(this.d, p, ramdiskId, 'ramdisk');
    if (userData !== undefined && Buffer.from(userData, 'base64').length > MAX_USER_DATA)
      throw invalidParameter('UserData', '(user data)', `It is at most ${MAX_USER_DATA} bytes.`);
    // What takes effect at the next start changes only while the instance is still stopped
    // (checked in the same statement): a start that came between is not given half of it.
    if (Object.keys(later).length && !(await this.d.instances.updateIf(i.id, ['stopped'], later)))
      throw new ServiceError('IncorrectInstanceState', `The instance '${i.id}' is no longer stopped.`);
    if (c.deleteOnTermination?.length) await this.d.volumes.setDeleteOnTermination(i, c.deleteOnTermination);
    if (disable !== undefined || behavior !== undefined)
      await this.d.instances.update(i.id, {
        ...(disable !== undefined ? { disableApiTermination: disable } : {}),
        ...(behavior !== undefined ? { shutdownBehavior: behavior as 'stop' | 'terminate' } : {}),
      });
  }

  /** ResetInstanceAttribute: a stopped instance's kernel or ramdisk back to its image's. */
  async resetAttribute(p: Principal, id: string, attribute: string): Promise<void> {
    const i = await this.one(p, id);
    if (attribute !== 'kernel' && attribute !== 'ramdisk')
      throw invalidParameter('Attribute', attribute, 'It is kernel or ramdisk.');
    if (i.state !== 'stopped')
      throw new ServiceError(
        'IncorrectInstanceState',
        `The instance '${i.id}' is not in the 'stopped' state; its ${attribute} can be reset only while it is stopped.`,
      );
    const image = await this.d.images.get(i.imageId);
    await this.d.instances.update(
      i.id,
      attribute === 'kernel' ? { kernelId: image?.kernelId } : { ramdiskId: image?.ramdiskId },
    );
  }

  /**
   * A Windows instance writes its Administrator password, encrypted with its key pair's public
   * key, between <Password> tags on its console at first boot; the cloud keeps it once seen.
   */
  async passwordData(p: Principal, id: string): Promise<{ instanceId: string; passwordData: string }> {
    const i = await this.one(p, id);
    let data = i.passwordData;
    if (!data && i.platform === 'windows' && i.node && i.state === 'running') {
      const { output } = await this.d.compute.nodes.consoleOutput(i.node, i.id);
      const text = Buffer.from(output, 'base64').toString('utf8');
      const m = /<Password>\s*([A-Za-z0-9+/=\s]+?)\s*<\/Password>/.exec(text);
      if (m) {
        data = m[1].replace(/\s+/g, '');
        await this.d.instances.update(i.id, { passwordData: data });
      }
    }
    return { instanceId: i.id, passwordData: data ?? '' };
  }

  /**
   * The instances an exact `tag:KEY=VALUE` filter can match, read from the tag index, so a
   * filter matching one batch among thousands never reads the rest; undefined when no such
   * filter is given.
   */
  private async taggedIds(p: Principal, filters: Filter[]): Promise<string[] | undefined> {
    let ids: Set<string> | undefined;
    for (const f of filters) {
      if (!f.name.startsWith('tag:') || f.values.some((v) => /[*?]/.test(v))) continue;
      const matching = new Set<string>();
      for (const v of f.values)
        for (const id of await this.d.tags.resourcesWith(p.account.id, f.name.slice(4), v))
          if (id.startsWith('i-')) matching.add(id);
      ids = ids ? new Set([...ids].filter((id) => matching.has(id))) : matching;
    }
    return ids && [...ids];
  }
}

/** An instance with the public address it shows now (its elastic IP wins over its own). */
function withPublicAddress(i: Instance, shown: string | undefined): Instance {
  return i.state === 'terminated' || i.state === 'shutting-down'
    ? { ...i, publicIp: undefined }
    : { ...i, publicIp: shown ?? i.publicIp };
}
