/**
 * The cloud's state, as an interface: the SQLite implementation serves one machine, and a server
 * database can implement the same interface later. Every method is asynchronous and atomic; what
 * must change together runs in `transaction(fn)`.
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
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  createAccount(name: string): Promise<Account>;
  findAccount(id: string): Promise<Account | undefined>;
  findAccountByName(name: string): Promise<Account | undefined>;
  createUser(accountId: string, name: string, path?: string): Promise<User>;
  findUser(accountId: string, name: string): Promise<User | undefined>;
  findUserById(id: string): Promise<User | undefined>;
  createAccessKey(userId: string): Promise<AccessKey>;
  listAccessKeys(userId: string): Promise<AccessKey[]>;
  /** The key with its owner, for signature verification. */
  /** The key and who it belongs to; `enabled` is false for a user the administrator disabled. */
  findAccessKey(id: string): Promise<{ key: AccessKey; principal: Principal; enabled: boolean } | undefined>;
  addCertificate(userId: string, id: string, pem: string): Promise<void>;
  countCertificates(userId: string): Promise<number>;
  /** The active signing certificates of every user of an account (PEM). */
  accountCertificates(accountId: string): Promise<string[]>;

  listClusters(): Promise<Cluster[]>;
  addCluster(cluster: Cluster): Promise<void>;

  close(): Promise<void>;
}
