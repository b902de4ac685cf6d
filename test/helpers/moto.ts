/**
 * moto_server, AWS's EC2 imitated by the moto project, as "another EC2-compatible cloud" for the
 * client commands: started on a free port, with a euca2ools ini file pointing a region at it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { cleanEnv, tempDir } from './cli';

export interface Moto {
  env: Record<string, string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${err}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.end(() => resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const home = tempDir('euca-moto-home-');
  fs.mkdirSync(path.join(home, '.euca'));
  fs.writeFileSync(
    path.join(home, '.euca', 'moto.ini'),
    `[global]\ndefault-region = us-east-1\n\n[region us-east-1]\nec2-url = ` +
      `http://127.0.0.1:${port}/\ns3-url = http://127.0.0.1:${port}/\nuser = moto\n\n[user moto]\nkey-id = ` +
      `AKIAIOSFODNN7EXAMPLE\nsecret-key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n`,
  );
  return {
    env: cleanEnv({ HOME: home }),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
