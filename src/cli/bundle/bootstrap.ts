/**
 * euca2ools 3.4's bootstrap options, with which the bundle commands fetch the cloud's certificate
 * from a Eucalyptus 4 bootstrap service. This cloud has none: the options are taken, and a
 * command given one stops before doing anything, saying where the certificate comes from here.
 */
import { Flags } from '@oclif/core';
import { CliError } from '../../shared/errors';

export const bootstrapFlags = {
  'bootstrap-url': Flags.string({
    summary: '[Eucalyptus 4] bootstrap service endpoint URL (for the cloud certificate)',
    helpValue: 'URL',
  }),
  'bootstrap-service': Flags.string({ hidden: true, summary: 'euca2ools internal: a bootstrap service object' }),
  'bootstrap-auth': Flags.string({ hidden: true, summary: 'euca2ools internal: a bootstrap auth object' }),
};

export function refuseBootstrap(flags: Record<string, unknown>): void {
  const given = Object.keys(bootstrapFlags).find((f) => flags[f] !== undefined);
  if (given)
    throw new CliError(
      'Unsupported',
      `this cloud has no bootstrap service (--${given}); give the cloud's certificate with --ec2cert or EUCALYPTUS_CERT`,
    );
}
