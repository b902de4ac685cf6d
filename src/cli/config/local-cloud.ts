/**
 * The embedded default: when nothing names an endpoint, commands use the local cloud whose data
 * lives in ~/.euca/local ($EUCA_LOCAL_DIR). If its daemon is not running it is started here, with
 * one line on stderr saying so, and its admin's eucarc supplies the endpoints and keys.
 */
import * as fs from 'node:fs';
import { freePort, portFree, runningPid, startDetached } from '../../shared/daemon';
import { cloudPaths, DEFAULT_BIND, DEFAULT_PORT, localCloudDir } from '../../shared/paths';
import { CliError } from '../../shared/errors';
import { readEucarc } from '../../shared/eucarc';

export async function localCloudEucarc(env: NodeJS.ProcessEnv, commandName: string): Promise<Record<string, string>> {
  const paths = cloudPaths(localCloudDir(env));
  if (runningPid(paths) === undefined) {
    // A first start takes the standard port when it is free, any free port otherwise; later
    // starts keep whatever eucalyptus.conf says.
    const port =
      fs.existsSync(paths.conf) || (await portFree(DEFAULT_PORT, DEFAULT_BIND)) ? undefined : await freePort();
    const pid = await startDetached(paths, { port });
    process.stderr.write(
      `${commandName}: started the local cloud (pid ${pid}); data in ${paths.dataDir}, log in ${paths.log}\n`,
    );
  }
  const vars = readEucarc(paths.eucarc);
  if (!vars) throw new CliError('MissingCredentials', `the local cloud's credentials are missing: ${paths.eucarc}`);
  return vars;
}
