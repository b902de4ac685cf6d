/**
 * What euca_conf does on a cloud's data dir, bundled apart (dist/admin.js) so that no other
 * command loads SQLite, the PKI or the zip writer.
 */
export { issueCredentials } from './credentials';
export { writeZip } from './zip';
export { applySettings, upgradeConf, restartNote } from './conf-settings';
export { addCluster, addNodes, delCluster, delNodes, listClusters, listNodes, parseNodes, syncKeys, nodeName } from './nodes';
export type { NodeAddress } from './nodes';
export { cloudPaths, localCloudDir } from '../paths';
export { readConf } from '../conf';
export { approveAccount, listAccountRequests, rejectAccount, resetPassword, setUserEnabled } from './users';
