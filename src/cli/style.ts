/**
 * Colour where it helps a person at a terminal — errors red, warnings yellow, --help's headings
 * and examples — and never anywhere else: not in piped output (scripts parse euca2ools' plain
 * lines), not with NO_COLOR set or TERM=dumb. FORCE_COLOR turns it on regardless.
 */
import chalk from 'chalk';

export type Style = InstanceType<typeof chalk.Instance>;

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const on = forced || (stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb');
  return new chalk.Instance({ level: on ? 1 : 0 });
}
