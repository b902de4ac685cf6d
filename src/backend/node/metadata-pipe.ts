/**
 * One guest connection to 169.254.169.254:80, as QEMU's user network hands it over
 * (`guestfwd=tcp:169.254.169.254:80-cmd:node metadata-pipe.js SOCKET`, one process per
 * connection): standard input and output joined to the instance's own metadata socket, which
 * answers for that instance only (metadata.ts).
 */
import * as net from 'node:net';

const socketPath = process.argv[2];
if (!socketPath) {
  process.stderr.write('usage: metadata-pipe.js SOCKET\n');
  process.exit(2);
}
const socket = net.connect(socketPath);
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on('error', () => process.exit(1));
socket.on('close', () => process.exit(0));
// However the guest behaves, this process does not outlive a quiet minute.
let idle = setTimeout(() => process.exit(0), 60_000);
const active = () => {
  clearTimeout(idle);
  idle = setTimeout(() => process.exit(0), 60_000);
};
process.stdin.on('data', active);
socket.on('data', active);
