/**
 * Key pairs as the cloud keeps them: the name, EC2's fingerprint and the public key in OpenSSH
 * form (what an instance's metadata serves as public-keys/0/openssh-key). A created key's private
 * half is handed to the caller once and never stored.
 */
import type { SqlDatabase } from '../../store/sql';

export interface KeyPair {
  name: string;
  fingerprint: string;
  publicKeyOpenSsh: string;
}

export interface KeyPairStore {
  get(accountId: string, name: string): KeyPair | undefined;
  list(accountId: string): KeyPair[];
  /** False when the account already has a key pair of that name. */
  insert(accountId: string, key: KeyPair): boolean;
  delete(accountId: string, name: string): void;
}

/** A row of keypairs. */
interface Row {
  account_id: string;
  name: string;
  fingerprint: string;
  public_key_openssh: string;
  created: string;
}
const toKeyPair = (r: Row): KeyPair => ({
  name: r.name,
  fingerprint: r.fingerprint,
  publicKeyOpenSsh: r.public_key_openssh,
});

export class SqliteKeyPairStore implements KeyPairStore {
  constructor(private readonly db: SqlDatabase) {}

  get(accountId: string, name: string): KeyPair | undefined {
    const r = this.db.prepare('SELECT * FROM keypairs WHERE account_id = ? AND name = ?').get(accountId, name) as
      Row | undefined;
    return r && toKeyPair(r);
  }

  list(accountId: string): KeyPair[] {
    return (this.db.prepare('SELECT * FROM keypairs WHERE account_id = ? ORDER BY name').all(accountId) as Row[]).map(
      toKeyPair,
    );
  }

  insert(accountId: string, k: KeyPair): boolean {
    const r = this.db
      .prepare(
        'INSERT OR IGNORE INTO keypairs (account_id, name, fingerprint, public_key_openssh, created) VALUES ' +
          '(?, ?, ?, ?, ?)',
      )
      .run(accountId, k.name, k.fingerprint, k.publicKeyOpenSsh, new Date().toISOString());
    return r.changes === 1;
  }

  delete(accountId: string, name: string): void {
    this.db.prepare('DELETE FROM keypairs WHERE account_id = ? AND name = ?').run(accountId, name);
  }
}
