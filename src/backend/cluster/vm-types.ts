/**
 * VM types: the sizes instances come in. Seeded with seed 001's five (m1.small 1 CPU 128 MiB
 * 10 GiB ... c1.xlarge 4/2048/20); the cloud administrator may change them.
 */
import type { SqlDatabase } from '../store/sql';

export interface VmType {
  name: string;
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
}

type Row = { name: string; cpus: number; memory_mib: number; disk_gib: number };
const toVmType = (r: Row): VmType => ({ name: r.name, cpus: r.cpus, memoryMiB: r.memory_mib, diskGiB: r.disk_gib });

export class SqlVmTypeStore {
  constructor(private readonly db: SqlDatabase) {}

  /** In the order Eucalyptus lists them: smallest first. */
  async list(): Promise<VmType[]> {
    return ((await this.db.prepare('SELECT * FROM vm_types ORDER BY position, name').all()) as Row[]).map(toVmType);
  }

  async get(name: string): Promise<VmType | undefined> {
    const r = (await this.db.prepare('SELECT * FROM vm_types WHERE name = ?').get(name)) as Row | undefined;
    return r && toVmType(r);
  }

  /** Changes a type's size (the administrator's ModifyInstanceTypeAttribute); false if unknown. */
  async modify(name: string, size: Partial<Omit<VmType, 'name'>>): Promise<boolean> {
    for (const [k, v] of Object.entries(size)) {
      if (v !== undefined && (!Number.isInteger(v) || v <= 0)) throw new Error(`${k} must be a positive integer`);
    }
    const cur = await this.get(name);
    if (!cur) return false;
    const next = { ...cur, ...Object.fromEntries(Object.entries(size).filter(([, v]) => v !== undefined)) };
    await this.db
      .prepare('UPDATE vm_types SET cpus = ?, memory_mib = ?, disk_gib = ? WHERE name = ?')
      .run(next.cpus, next.memoryMiB, next.diskGiB, name);
    return true;
  }
}
