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
  get(accountId: string, name: string): Promise<KeyPair | undefined>;
  list(accountId: string): Promise<KeyPair[]>;
  /** False when the account already has a key pair of that name. */
  insert(accountId: string, key: KeyPair): Promise<boolean>;
  delete(accountId: string, name: string): Promise<void>;
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

export class SqlKeyPairStore implements KeyPairStore {
  constructor(private readonly db: SqlDatabase) {}

  async get(accountId: string, name: string): Promise<KeyPair | undefined> {
    const r = (await this.db
      .prepare('SELECT * FROM keypairs WHERE account_id = ? AND name = ?')
      .get(accountId, name)) as Row | undefined;
    return r && toKeyPair(r);
  }

  async list(accountId: string): Promise<KeyPair[]> {
    return (
      (await this.db.prepare('SELECT * FROM keypairs WHERE account_id = ? ORDER BY name').all(accountId)) as Row[]
    ).map(toKeyPair);
  }

  async insert(accountId: string, k: KeyPair): Promise<boolean> {
    const r = await this.db
      .prepare(
        'INSERT INTO keypairs (account_id, name, fingerprint, public_key_openssh, created) VALUES ' +
          '(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(accountId, k.name, k.fingerprint, k.publicKeyOpenSsh, new Date().toISOString());
    return r.changes === 1;
  }

  async delete(accountId: string, name: string): Promise<void> {
    await this.db.prepare('DELETE FROM keypairs WHERE account_id = ? AND name = ?').run(accountId, name);
  }
}
