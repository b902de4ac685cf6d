/**
 * The administrator's `verbose` view of an availability zone, exactly as seed 001 prints it: the
 * cluster and its host, the `|- vm types  free / max  cpu  ram  disk` header, one line per VM
 * type, and one line per node controller with when it last answered (in Java's Date format, as
 * Eucalyptus prints it), followed by the hypervisor it runs instances with. A node that stopped
 * answering reads `nc=false`, with a message saying so.
 */
import { describeHypervisor } from '../../shared/hypervisors';
import type { ZoneAvailability } from './controller';

export interface ZoneLine {
  zoneName: string;
  zoneState: string;
  messageSet: { message: string }[];
}

const pad4 = (n: number) => String(Math.min(n, 9999)).padStart(4, '0');

/** `0128 / 0128  1   128  10`: the seed's columns. */
export function vmTypeState(t: {
  free: number;
  max: number;
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
}): string {
  return `${pad4(t.free)} / ${pad4(t.max)} ${String(t.cpus).padStart(2)} ${String(t.memoryMiB).padStart(5)} ${String(t.diskGiB).padStart(3)}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Sun Jan 04 15:13:30 PST 2009`, in the cloud's local time zone. */
export function javaDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const zone =
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')
      ?.value ?? 'UTC';
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${zone} ${d.getFullYear()}`;
}

export function verboseZoneLines(cluster: { name: string; host: string }, a: ZoneAvailability): ZoneLine[] {
  const line = (zoneName: string, zoneState: string, message?: string): ZoneLine => ({
    zoneName,
    zoneState,
    messageSet: message ? [{ message }] : [],
  });
  return [
    line(cluster.name, cluster.host),
    line('|- vm types', 'free / max  cpu  ram  disk'),
    ...a.vmTypes.map((t) => line(`|- ${t.name}`, vmTypeState(t))),
    ...a.nodes.flatMap((n) => {
      const up = n.status === 'enabled';
      const when = javaDate(new Date(n.lastSeen ?? n.registered));
      const hypervisor = n.capacity?.hypervisor;
      return [
        line(
          `|- ${n.host}`,
          `certs[cc=true,nc=${up}] @ ${when}`,
          up ? undefined : `node controller ${n.host}:${n.port} is not answering`,
        ),
        // Beneath its node: what runs its instances (as it last said).
        ...(hypervisor ? [line('|  |- hypervisor', describeHypervisor(hypervisor))] : []),
      ];
    }),
  ];
}
