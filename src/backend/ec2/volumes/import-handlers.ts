/** The conversion task actions on the wire; the rules are the conversion task service's. */
import { type QueryCall } from '../../query-service';
import { invalidParameter } from '../../errors';
import { listParam, requireParam } from '../../query-params';
import { type ConversionTask } from '../../storage/store';
import type { ConversionTaskService } from './conversion-tasks';

const taskXml = (t: ConversionTask, bytesConverted: number) => ({
  conversionTaskId: t.id,
  expirationTime: t.expires,
  importVolume: {
    bytesConverted,
    availabilityZone: t.zone,
    description: t.description,
    image: { format: t.format, size: t.bytes, importManifestUrl: `/${t.bucket}/${t.objectKey}` },
    volume: { size: t.sizeGiB, id: t.volumeId ?? '' },
  },
  state: t.state,
  statusMessage: t.statusMessage,
});

/** A whole number parameter, when given. */
function wholeParam(ctx: QueryCall, name: string): number | undefined {
  const raw = ctx.params[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw invalidParameter(name, raw, 'It is a whole number.');
  return Number(raw);
}

/** The actions, given the service they call. */
export function conversionTaskActions(conversionTaskService: ConversionTaskService) {
  return {
    ImportVolume: (ctx: QueryCall) => {
      const task = conversionTaskService.importVolume(
        ctx.principal,
        {
          zone: requireParam(ctx.params, 'AvailabilityZone'),
          format: requireParam(ctx.params, 'Image.Format'),
          manifestUrl: requireParam(ctx.params, 'Image.ImportManifestUrl'),
          bytes: wholeParam(ctx, 'Image.Bytes'),
          sizeGiB: wholeParam(ctx, 'Volume.Size'),
          description: ctx.params.Description,
        },
        ctx.origin,
      );
      return { conversionTask: taskXml(task, 0) };
    },
    DescribeConversionTasks: (ctx: QueryCall) => {
      const found = conversionTaskService.describe(ctx.principal, listParam(ctx.params, 'ConversionTaskId'));
      return { conversionTasks: found.map(({ task, bytesConverted }) => taskXml(task, bytesConverted)) };
    },
    CancelConversionTask: async (ctx: QueryCall) => {
      await conversionTaskService.cancel(ctx.principal, requireParam(ctx.params, 'ConversionTaskId'));
      return { return: true };
    },
  };
}
