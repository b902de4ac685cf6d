/** The conversion task actions on the wire; the rules are the conversion task service's. */
import type { Ec2Operations } from '../../../shared/wire/ec2';
import { required } from '../../query-params';
import type { Actions } from '../../query-service';
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

/** The actions, given the service they call. */
export function conversionTaskActions(
  tasks: ConversionTaskService,
): Actions<Ec2Operations, 'ImportVolume' | 'DescribeConversionTasks' | 'CancelConversionTask'> {
  return {
    ImportVolume: async ({ principal, input, origin }) => {
      const task = await tasks.importVolume(
        principal,
        {
          zone: required(input.AvailabilityZone, 'AvailabilityZone'),
          format: required(input.Image?.Format, 'Image.Format'),
          manifestUrl: required(input.Image?.ImportManifestUrl, 'Image.ImportManifestUrl'),
          bytes: input.Image?.Bytes,
          sizeGiB: input.Volume?.Size,
          description: input.Description,
        },
        origin,
      );
      return { conversionTask: taskXml(task, 0) };
    },
    DescribeConversionTasks: async ({ principal, input }) => {
      const found = await tasks.describe(principal, input.ConversionTaskIds ?? []);
      return { conversionTasks: found.map(({ task, bytesConverted }) => taskXml(task, bytesConverted)) };
    },
    CancelConversionTask: async ({ principal, input }) => {
      await tasks.cancel(principal, required(input.ConversionTaskId, 'ConversionTaskId'));
      return { return: true };
    },
  };
}
