/**
 * What euca_conf does on a cloud's data dir, bundled apart (dist/admin.js) so that no other
 * command loads SQLite, the PKI or the zip writer. Implements the launcher's AdminEntry.
 */
export { eucaConf } from './euca-conf';
