/**
 * A node controller's key and the state of its pairing with a cluster: paired (it has the key,
 * signs and checks requests with it), or waiting for the one Pair request that opens the key
 * sealed with its token (lib/node-pairing).
 */
import { CloudInternalClient } from '../../shared/nc-protocol';
import { openKey, type SealedKey } from '../../shared/node-pairing';
import { DriverError } from './hypervisor';

export class NodePairing {
  private client?: CloudInternalClient;

  constructor(
    private readonly cloudUrl: string,
    private current: string | undefined,
    private token: string | undefined,
    private readonly onPaired: (key: string) => void,
  ) {}

  get key(): string | undefined {
    return this.current;
  }

  /** Takes the cluster key sealed with this node's token; once only. */
  pair(sealed: SealedKey): void {
    if (this.current) throw new DriverError('AlreadyPaired', 'this node controller already has its cluster key', 409);
    let key: string;
    try {
      key = openKey(this.token!, sealed);
    } catch (e) {
      throw new DriverError('InvalidPairingToken', (e as Error).message, 403);
    }
    if (!/^[0-9a-f]{64}$/.test(key)) throw new DriverError('InvalidKey', 'the key received is not 64 hex digits', 400);
    this.onPaired(key);
    this.current = key;
    this.token = undefined;
  }

  /** The signed client to the cloud's internal endpoints (images, metadata); needs the key. */
  cloud(): CloudInternalClient {
    if (!this.current)
      throw new DriverError(
        'NotPaired',
        'this node controller has not been paired with a cluster (euca_conf --addnode)',
        403,
      );
    this.client ??= new CloudInternalClient(this.cloudUrl, this.current);
    return this.client;
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}
