/**
 * euca_conf's work on a cloud's data dir, in the order its options are listed: the command parses
 * the flags, this does what they ask and says what it did, a line each.
 */
import { CliError } from '../../shared/errors';
import type { EucaConfRequest, EucaConfResult } from '../../shared/launcher';
import { cloudPaths, localCloudDir } from '../../shared/paths';
import { readConf } from '../conf';
import { applySettings, restartNote, shownSetting, upgradeConf } from './conf-settings';
import { issueCredentials } from './credentials';
import {
  addCluster,
  addNodes,
  delCluster,
  delNodes,
  listClusters,
  listNodes,
  nodeName,
  parseNodes,
  syncKeys,
} from './nodes';
import { approveAccount, listAccountRequests, rejectAccount, resetPassword, setUserEnabled } from './users';
import { writeZip } from '../zip';

/** The options that qualify an action rather than ask for one. */
const MODIFIERS = new Set(['cred-account', 'cred-user', 'token', 'cluster', 'account', 'password']);

export async function eucaConf(req: EucaConfRequest): Promise<EucaConfResult> {
  const { flags, more } = req;
  const asked = Object.entries(flags).some(([f, v]) => v !== undefined && v !== false && !MODIFIERS.has(f));
  if (!asked) throw new CliError('MissingParameter', 'nothing to do: see euca_conf --help');
  const paths = cloudPaths(req.dir ?? process.env.EUCALYPTUS ?? localCloudDir());
  const out: string[] = [];
  const nodesOf = (text: string) => parseNodes(text, Number(readConf(paths.conf).NC_PORT || 8775));
  const tokens = [...(flags.token ?? [])];
  const tokenFor = async (n: { host: string; port: number }) =>
    tokens.shift() ?? (await req.askSecret(`Pairing token printed by the node controller at ${nodeName(n)}:`));
  let failed = false;

  if (flags['get-credentials']) {
    const files = await issueCredentials(paths, flags['cred-account'], flags['cred-user']);
    await writeZip(flags['get-credentials'], files);
    out.push(
      `wrote the credentials ` +
        `of ${flags['cred-user']} (account ${flags['cred-account']}) to ${flags['get-credentials']}`,
    );
  }
  if (flags.addcluster) {
    if (!more)
      throw new CliError('MissingParameter', "--addcluster NAME needs the cluster controller's HOST[:PORT] after it");
    out.push(await addCluster(paths, flags.addcluster, more));
  }
  if (flags.delcluster) out.push(await delCluster(paths, flags.delcluster));
  if (flags['list-clusters']) out.push(...(await listClusters(paths)));
  if (flags.addnode) {
    const r = await addNodes(paths, nodesOf(flags.addnode), tokenFor, flags.cluster);
    out.push(...r.lines);
    failed ||= r.failed;
  }
  if (flags.delnode) out.push(...(await delNodes(paths, nodesOf(flags.delnode))));
  if (flags['list-nodes']) out.push(...(await listNodes(paths)));
  const settings: Record<string, string> = {};
  if (flags.nodes !== undefined) settings.NODES = nodesOf(flags.nodes).map(nodeName).join(' ');
  if (flags.hypervisor) settings.HYPERVISOR = flags.hypervisor;
  if (flags.instances) settings.INSTANCE_PATH = flags.instances;
  for (const s of flags.set ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new CliError('InvalidParameterValue', `--set takes KEY=VALUE: ${s}`);
    settings[s.slice(0, eq)] = s.slice(eq + 1);
  }
  if (Object.keys(settings).length) {
    const notes = applySettings(paths.conf, settings);
    out.push(...Object.entries(settings).map(([k, v]) => shownSetting(k, v)), ...notes);
  }
  if (flags['upgrade-conf']) {
    const target = more ?? paths.conf;
    const keys = upgradeConf(flags['upgrade-conf'], target);
    out.push(`carried ${keys.length} settings from ${flags['upgrade-conf']} into ${target}`, ...restartNote(keys));
  }
  if (flags.synckeys) out.push(...(await syncKeys(paths, tokenFor)));
  if (flags['list-account-requests']) out.push(...(await listAccountRequests(paths)));
  if (flags['approve-account']) out.push(await approveAccount(paths, flags['approve-account']));
  if (flags['reject-account']) out.push(await rejectAccount(paths, flags['reject-account']));
  if (flags['disable-user']) out.push(await setUserEnabled(paths, flags.account, flags['disable-user'], false));
  if (flags['enable-user']) out.push(await setUserEnabled(paths, flags.account, flags['enable-user'], true));
  if (flags['reset-password']) {
    const user = flags['reset-password'];
    const password = flags.password ?? (await req.askSecret(`New password for ${user}:`));
    out.push(await resetPassword(paths, flags.account, user, password));
  }
  return { lines: out, failed };
}
