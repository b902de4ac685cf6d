/**
 * The cloud's state, as an interface: the SQLite implementation serves one machine, and a server
 * database can implement the same interface later. Every method is synchronous and atomic.
 */
export interface Account {
  id: string;
  name: string;
}

export interface User {
  id: string;
  accountId: string;
  name: string;
  path: string;
  created: string;
}

export interface AccessKey {
  id: string;
  secret: string;
  userId: string;
  status: 'Active' | 'Inactive';
  created: string;
}

/** Who a verified request acts as. */
export interface Principal {
  account: Account;
  user: User;
  accessKeyId: string;
}

export interface Cluster {
  name: string;
  host: string;
  port: number;
}

export interface CloudStore {
  transaction<T>(fn: () => T): T;
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;

  createAccount(name: string): Account;
  findAccount(id: string): Account | undefined;
  findAccountByName(name: string): Account | undefined;
  createUser(accountId: string, name: string, path?: string): User;
  findUser(accountId: string, name: string): User | undefined;
  createAccessKey(userId: string): AccessKey;
  listAccessKeys(userId: string): AccessKey[];
  /** The key with its owner, for signature verification. */
  /** The key and who it belongs to; `enabled` is false for a user the administrator disabled. */
  findAccessKey(id: string): { key: AccessKey; principal: Principal; enabled: boolean } | undefined;
  addCertificate(userId: string, id: string, pem: string): void;
  /** The active signing certificates of every user of an account (PEM). */
  accountCertificates(accountId: string): string[];

  listClusters(): Cluster[];
  addCluster(cluster: Cluster): void;

  close(): void;
}
