/**
 * The properties an administrator reads and changes live: what each is, how it is read, and how
 * a new value is checked and applied (at once, no restart). Names follow Eucalyptus 3's
 * (`cloud.*`, `walrus.*`); VM types are `cloud.vmtypes.TYPE.cpu|memory|disk`.
 */
import type { CloudContext } from '../context';
import { ServiceError } from '../errors';

export interface PropertyDef {
  name: string;
  description: string;
  get(cloud: CloudContext): Promise<string>;
  /** Checks and applies a new value; throws InvalidParameterValue for a bad one. */
  set(cloud: CloudContext, value: string): Promise<void>;
}

const invalid = (name: string, value: string, why: string) =>
  new ServiceError('InvalidParameterValue', `Invalid value for ${name}: "${value}" (${why})`);

/** How long terminated instances stay listed, by default (minutes). */
export const DEFAULT_TERMINATED_MINUTES = 60;

function stored(
  name: string,
  description: string,
  fallback: (cloud: CloudContext) => string | Promise<string>,
  check: (cloud: CloudContext, value: string) => void | Promise<void>,
): PropertyDef {
  return {
    name,
    description,
    get: async (cloud) => (await cloud.properties.get(name)) ?? (await fallback(cloud)),
    set: async (cloud, value) => {
      await check(cloud, value);
      await cloud.properties.set(name, value);
    },
  };
}

function imageOfType(type: 'kernel' | 'ramdisk') {
  return async (cloud: CloudContext, value: string) => {
    if (value === '') return;
    const image = await cloud.images.get(value);
    if (!image || image.type !== type)
      throw invalid(`cloud.images.default${type}`, value, `not a ${type} image of this cloud`);
    if (image.state !== 'available') throw invalid(`cloud.images.default${type}`, value, `${value} is ${image.state}`);
  };
}

function positiveInt(name: string) {
  return (_: CloudContext, value: string) => {
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw invalid(name, value, 'a positive whole number');
  };
}

const VM_FIELDS = { cpu: 'cpus', memory: 'memoryMiB', disk: 'diskGiB' } as const;

/** Every property, VM types included (they are read from the cluster's table each time). */
export async function properties(cloud: CloudContext): Promise<PropertyDef[]> {
  const vmTypes = cloud.cluster.controller.vmTypes;
  const vm: PropertyDef[] = (await vmTypes.list()).flatMap((t) =>
    (Object.keys(VM_FIELDS) as (keyof typeof VM_FIELDS)[]).map((field): PropertyDef => {
      const name = `cloud.vmtypes.${t.name}.${field}`;
      return {
        name,
        description: `${field === 'cpu' ? 'cores' : field === 'memory' ? 'memory (MiB)' : 'disk (GiB)'} of an ${t.name} instance`,
        get: async (c) => String((await c.cluster.controller.vmTypes.get(t.name))![VM_FIELDS[field]]),
        set: async (c, value) => {
          positiveInt(name)(c, value);
          await c.cluster.controller.vmTypes.modify(t.name, { [VM_FIELDS[field]]: Number(value) });
        },
      };
    }),
  );
  return [
    stored(
      'cloud.images.defaultkernel',
      'the kernel (eki-) instances run with when neither the image nor the request names one',
      (c) => c.conf.DEFAULT_KERNEL ?? '',
      imageOfType('kernel'),
    ),
    stored(
      'cloud.images.defaultramdisk',
      'the ramdisk (eri-) instances run with when neither the image nor the request names one',
      (c) => c.conf.DEFAULT_RAMDISK ?? '',
      imageOfType('ramdisk'),
    ),
    stored(
      'cloud.vmstate.terminated_time',
      'minutes a terminated instance stays listed before it is forgotten',
      () => String(DEFAULT_TERMINATED_MINUTES),
      positiveInt('cloud.vmstate.terminated_time'),
    ),
    ...vm,
  ];
}

export async function property(cloud: CloudContext, name: string): Promise<PropertyDef> {
  const p = (await properties(cloud)).find((d) => d.name === name);
  if (!p)
    throw new ServiceError('InvalidParameterValue', `No such property: ${name} (euca-describe-properties lists them)`);
  return p;
}
