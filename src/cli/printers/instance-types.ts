/**
 * How euca-describe-instance-types prints, as euca2ools does: an INSTANCETYPE header line and one
 * line per type with columns aligned to the widest value (name left, numbers right), and with
 * capacity asked for (--show-capacity), `Used / Total  Used %`; by zone, a block per AVAILABILITYZONE.
 */
import { listOf, type XmlNode } from '../xml';

interface Row {
  name: string;
  cpu: string;
  memory: string;
  disk: string;
  nics: string;
  used: string;
  total: string;
  usedPct: string;
}

const HEADERS: Row = {
  name: 'Name',
  cpu: 'CPUs',
  memory: 'Memory (MiB)',
  disk: 'Disk (GiB)',
  nics: 'NICs',
  used: 'Used',
  total: 'Total',
  usedPct: 'Used %',
};

function table(rows: Row[], capacity: boolean): string[] {
  const width = (k: keyof Row) => Math.max(HEADERS[k].length, ...rows.map((r) => r[k].length));
  const fmt = (r: Row) => {
    let s = `${r.name.padEnd(width('name'))}  ${r.cpu.padStart(width('cpu'))}  ${r.memory.padStart(width('memory'))}  ${r.disk.padStart(width('disk'))}  ${r.nics.padStart(width('nics'))}`;
    if (capacity)
      s += `  ${r.used.padStart(width('used'))} / ${r.total.padStart(width('total'))}  ${r.usedPct.padStart(width('usedPct'))}`;
    // A tab and a space before the table, as euca2ools prints it (print's two arguments).
    return `INSTANCETYPE\t ${s}`;
  };
  return [fmt(HEADERS), ...rows.map(fmt)];
}

function row(t: XmlNode, available: number, max: number): Row {
  const used = max - available;
  return {
    name: String(t.name ?? ''),
    cpu: String(t.cpu ?? ''),
    memory: String(t.memory ?? ''),
    disk: String(t.disk ?? ''),
    nics: String(t.networkInterfaces ?? ''),
    used: String(used),
    total: String(max),
    usedPct: max ? `${Math.round((100 * used) / max)}%` : '',
  };
}

export function instanceTypeLines(result: XmlNode, opts: { capacity: boolean; byZone: boolean }): string[] {
  const types = listOf(result, 'instanceTypeDetails');
  const zoneOf = (t: XmlNode) => listOf(t, 'availability');
  if (!opts.byZone) {
    return table(
      types.map((t) =>
        row(
          t,
          zoneOf(t).reduce((s, z) => s + Number(z.available ?? 0), 0),
          zoneOf(t).reduce((s, z) => s + Number(z.max ?? 0), 0),
        ),
      ),
      opts.capacity,
    );
  }
  const zones = [...new Set(types.flatMap((t) => zoneOf(t).map((z) => String(z.zoneName))))].sort();
  return zones.flatMap((zone) => [
    `AVAILABILITYZONE\t${zone}`,
    ...table(
      types.map((t) => {
        const z = zoneOf(t).find((a) => a.zoneName === zone);
        return row(t, Number(z?.available ?? 0), Number(z?.max ?? 0));
      }),
      opts.capacity,
    ),
    '',
  ]);
}
