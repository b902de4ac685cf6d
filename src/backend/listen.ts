/**
 * What every daemon of the cloud (eucalyptus-cloud, eucalyptus-nc) does alike: a timestamped log
 * line on stdout (the daemon's log file when detached), and listening with a clear error.
 */
import type * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { CliError } from '../shared/errors';

export function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/** Listens, resolving with the port it got (port 0 picks a free one). */
export function listen(server: http.Server, port: number, bind: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          e.code === 'EADDRINUSE' ? 'AddressInUse' : 'ListenFailed',
          `cannot listen on ${bind}:${port}: ${e.code ?? e.message}`,
        ),
      ),
    );
    server.listen(port, bind, () => resolve((server.address() as AddressInfo).port));
  });
}
