#!/usr/bin/env node
// Builds a tiny bootable Linux image from Debian's packages, without root: the kernel of
// linux-image-cloud-amd64 (the eki), an initramfs of busybox-static and the virtio modules that
// mounts root=/dev/vda and switches to it (the eri), and an ext2 root file system made with
// `mke2fs -d` (the emi) holding busybox and dropbear, whose init takes an address by DHCP, puts
// the key pair's public key from the metadata service into root's authorized_keys, starts sshd
// and prints `euca-test-image: sshd up` on the console.
//
//   node scripts/build-test-image.mjs [OUT_DIR]      (default: .cache/test-image)
//
// Writes OUT_DIR/vmlinuz, OUT_DIR/initrd.img, OUT_DIR/root.img and OUT_DIR/image.json (what it
// was built from); the packages are fetched with `apt-get download` into OUT_DIR/debs and kept. A
// second run with the same packages does nothing. Then bundle, upload and register them as any
// image: euca-bundle-image --kernel true -i vmlinuz, --ramdisk true -i initrd.img, and -i root.img
// --kernel eki-... --ramdisk eri-... (README, "Real instances").
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const out = path.resolve(process.argv[2] ?? '.cache/test-image');
const debs = path.join(out, 'debs');
const work = path.join(out, 'work');
const ROOT_MIB = 48;

const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const step = (what) => process.stderr.write(`build-test-image: ${what}\n`);

function need(command, pkg) {
  try {
    run('sh', ['-c', `command -v ${command}`]);
  } catch {
    throw new Error(`${command} is missing: install ${pkg} (apt-get install ${pkg})`);
  }
}

let updated = false;

/** The version apt would install of a package now (as root, the package lists are fetched once if apt knows none). */
function candidate(name) {
  const m = /Candidate: (\S+)/.exec(run('apt-cache', ['policy', name]));
  if (m && m[1] !== '(none)') return m[1];
  if (!updated && process.getuid?.() === 0) {
    step('apt knows no ' + name + ': apt-get update');
    run('apt-get', ['update', '-qq']);
    updated = true;
    return candidate(name);
  }
  throw new Error(`apt knows no package ${name} (run apt-get update)`);
}

/** Fetches a package's .deb into debs/ (once) and answers its path. */
function download(name) {
  fs.mkdirSync(debs, { recursive: true });
  const version = candidate(name);
  const found = () =>
    fs
      .readdirSync(debs)
      .find((f) => f.startsWith(`${name}_`) && decodeURIComponent(f).startsWith(`${name}_${version}_`));
  if (!found()) {
    step(`downloading ${name} ${version}`);
    run('apt-get', ['download', `${name}=${version}`], { cwd: debs });
  }
  return path.join(debs, found());
}

const depends = (deb) =>
  run('dpkg-deb', ['-f', deb, 'Pre-Depends', 'Depends'])
    .replace(/^[A-Za-z-]+: /gm, '')
    .replaceAll('\n', ',')
    .split(',')
    .map((d) => d.trim().split(/[\s|]/)[0])
    .filter(Boolean);

function extract(deb, dir) {
  fs.mkdirSync(dir, { recursive: true });
  run('dpkg-deb', ['-x', deb, dir]);
  return dir;
}

/** A module's dependencies, from its .modinfo section (`depends=a,b`). */
function moduleDepends(file) {
  const text = fs.readFileSync(file).toString('latin1');
  const m = /\0depends=([^\0]*)\0/.exec(text);
  return m && m[1] ? m[1].split(',') : [];
}

/** The modules wanted and all they depend on, each after its dependencies. */
function loadOrder(modulesDir, wanted) {
  const files = new Map();
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ko')) files.set(e.name.slice(0, -3).replaceAll('-', '_'), p);
    }
  };
  walk(modulesDir);
  const order = [];
  const visit = (name) => {
    const key = name.replaceAll('-', '_');
    if (order.some((o) => o.name === key)) return;
    const file = files.get(key);
    if (!file) throw new Error(`the kernel has no module ${name}`);
    for (const d of moduleDepends(file)) visit(d);
    order.push({ name: key, file });
  };
  for (const w of wanted) visit(w);
  return order;
}

/** A cpio archive in the newc format the kernel unpacks, gzipped. */
function cpio(entries) {
  const chunks = [];
  let ino = 1;
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  const hex = (n) => n.toString(16).padStart(8, '0');
  const add = (name, mode, data = Buffer.alloc(0)) => {
    const nameBuf = Buffer.from(`${name}\0`);
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBuf.length, 0];
    const header = Buffer.from('070701' + fields.map(hex).join(''));
    chunks.push(header, nameBuf, pad(header.length + nameBuf.length), data, pad(data.length));
  };
  for (const e of entries) add(e.name, e.mode, e.data);
  add('TRAILER!!!', 0);
  return zlib.gzipSync(Buffer.concat(chunks), { level: 9 });
}

const INITRAMFS_INIT = (modules) => `#!/bin/busybox sh
# euca-test-image initramfs: load the virtio drivers, mount root=/dev/vda, switch to it.
/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
for m in ${modules.join(' ')}; do /bin/busybox insmod /lib/modules/$m.ko; done
root=/dev/vda
for arg in $(/bin/busybox cat /proc/cmdline); do
  case $arg in root=*) root=\${arg#root=} ;; esac
done
n=0
while [ ! -b $root ] && [ $n -lt 100 ]; do /bin/busybox sleep 0.1; n=$((n + 1)); done
/bin/busybox mount -t ext4 -o rw $root /newroot || { echo "initramfs: cannot mount $root"; exec /bin/busybox sh; }
/bin/busybox umount /proc /sys
/bin/busybox mount --move /dev /newroot/dev
exec /bin/busybox switch_root /newroot /sbin/init
`;

const RC = `#!/bin/sh
# euca-test-image: network by DHCP, the key pair from the metadata service, sshd.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /tmp /run /var/log
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -s /etc/udhcpc.script -q -t 20 -T 1 -n >/dev/null 2>&1 || echo "euca-test-image: no DHCP answer"
md=http://169.254.169.254/latest/meta-data
id=$(wget -q -O - $md/instance-id 2>/dev/null)
[ -n "$id" ] && hostname "$id"
mkdir -p /root/.ssh /etc/dropbear
chmod 700 /root/.ssh
if wget -q -O /root/.ssh/authorized_keys $md/public-keys/0/openssh-key 2>/dev/null; then
  chmod 600 /root/.ssh/authorized_keys
else
  rm -f /root/.ssh/authorized_keys
  echo "euca-test-image: no key pair in the metadata"
fi
dropbear -R -s -p 22
echo "euca-test-image: sshd up ($id)"
`;

const UDHCPC = `#!/bin/sh
# busybox udhcpc's hook: configure the interface and the default route.
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-16}" dev "$interface"
    [ -n "$router" ] && ip route add default via "\${router%% *}" dev "$interface"
    [ -n "$dns" ] && for d in $dns; do echo "nameserver $d"; done > /etc/resolv.conf
    ;;
esac
exit 0
`;

const MKFS = `#!/bin/sh
# mkfs [-t TYPE] [options] DEVICE: mkfs.TYPE (ext2 unless told).
type=ext2
if [ "$1" = "-t" ]; then type=$2; shift 2; fi
exec mkfs.$type "$@"
`;

const INITTAB = `::sysinit:/etc/rc
::respawn:/bin/sh -c 'while sleep 1; do sync; done'
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sync
::shutdown:/bin/umount -a -r
`;

function main() {
  for (const [c, p] of [
    ['apt-get', 'apt'],
    ['dpkg-deb', 'dpkg'],
    ['mke2fs', 'e2fsprogs'],
  ])
    need(c, p);
  const meta = download('linux-image-cloud-amd64');
  const kernelPkg = depends(meta).find((d) => d.startsWith('linux-image-'));
  const kernelDeb = download(kernelPkg);
  const busyboxDeb = download('busybox-static');
  const dropbearDeb = download('dropbear-bin');
  const e2fsDeb = download('e2fsprogs');
  // The libraries dropbear and mke2fs need, and theirs (libtomcrypt needs libgmp, ...).
  const libDebs = [];
  const wanted = [...depends(dropbearDeb), ...depends(e2fsDeb)];
  for (const seen = new Set(); wanted.length;) {
    const name = wanted.shift();
    if (seen.has(name) || !/^(lib|zlib)/.test(name)) continue;
    seen.add(name);
    const deb = download(name);
    libDebs.push(deb);
    wanted.push(...depends(deb));
  }
  const sources = [kernelDeb, busyboxDeb, dropbearDeb, e2fsDeb, ...libDebs].map((d) => path.basename(d)).sort();
  const stamp = path.join(out, 'image.json');
  const files = ['vmlinuz', 'initrd.img', 'root.img'].map((f) => path.join(out, f));
  if (fs.existsSync(stamp) && files.every((f) => fs.existsSync(f))) {
    const built = JSON.parse(fs.readFileSync(stamp, 'utf8'));
    if (JSON.stringify(built.sources) === JSON.stringify(sources)) {
      step(`up to date in ${out}`);
      return;
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
  const kx = extract(kernelDeb, path.join(work, 'kernel'));
  const bx = extract(busyboxDeb, path.join(work, 'busybox'));
  const dx = extract(dropbearDeb, path.join(work, 'dropbear'));
  const ex = extract(e2fsDeb, path.join(work, 'e2fsprogs'));
  const lx = path.join(work, 'libs');
  for (const d of libDebs) extract(d, lx);

  const vmlinuz = fs.readdirSync(path.join(kx, 'boot')).find((f) => f.startsWith('vmlinuz-'));
  const release = vmlinuz.slice('vmlinuz-'.length);
  const busybox = fs.readFileSync(path.join(bx, 'bin', 'busybox'));

  step(`initramfs for ${release}`);
  const modules = loadOrder(path.join(kx, 'lib', 'modules', release), [
    'virtio_ring',
    'virtio',
    'virtio_pci',
    'virtio_blk',
    'virtio_net',
    'virtio_scsi',
    'sd_mod',
  ]);
  const initrd = cpio([
    { name: 'bin', mode: 0o40755 },
    { name: 'bin/busybox', mode: 0o100755, data: busybox },
    { name: 'lib', mode: 0o40755 },
    { name: 'lib/modules', mode: 0o40755 },
    ...modules.map((m) => ({ name: `lib/modules/${m.name}.ko`, mode: 0o100644, data: fs.readFileSync(m.file) })),
    { name: 'init', mode: 0o100755, data: Buffer.from(INITRAMFS_INIT(modules.map((m) => m.name))) },
  ]);

  step('root file system');
  const root = path.join(work, 'root');
  const mk = (p, mode = 0o755) => fs.mkdirSync(path.join(root, p), { recursive: true, mode });
  const write = (p, text, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text, { mode });
    fs.chmodSync(path.join(root, p), mode);
  };
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run', 'var', 'mnt'])
    mk(d);
  mk('root', 0o700);
  fs.copyFileSync(path.join(bx, 'bin', 'busybox'), path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  const applets = run(path.join(bx, 'bin', 'busybox'), ['--list-full'])
    .split('\n')
    .filter(Boolean);
  for (const a of applets) {
    const target = path.join(root, a);
    if (a === 'bin/busybox' || fs.existsSync(target)) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(target), path.join(root, 'bin', 'busybox')), target);
  }
  fs.copyFileSync(path.join(dx, 'usr', 'sbin', 'dropbear'), path.join(root, 'usr', 'sbin', 'dropbear'));
  fs.copyFileSync(path.join(dx, 'usr', 'bin', 'dropbearkey'), path.join(root, 'usr', 'bin', 'dropbearkey'));
  for (const f of ['usr/sbin/dropbear', 'usr/bin/dropbearkey']) fs.chmodSync(path.join(root, f), 0o755);
  // e2fsprogs' mke2fs, for `mkfs -t ext3 /dev/vdb` as the seed formats a volume (busybox's makes no journal).
  for (const f of ['mke2fs', 'mkfs.ext2', 'mkfs.ext3', 'mkfs.ext4'])
    fs.rmSync(path.join(root, 'sbin', f), { force: true });
  fs.copyFileSync(path.join(ex, 'sbin', 'mke2fs'), path.join(root, 'sbin', 'mke2fs'));
  fs.chmodSync(path.join(root, 'sbin', 'mke2fs'), 0o755);
  for (const f of ['mkfs.ext2', 'mkfs.ext3', 'mkfs.ext4']) fs.symlinkSync('mke2fs', path.join(root, 'sbin', f));
  write('sbin/mkfs', MKFS, 0o755);
  // The shared libraries dropbear needs (libc, libcrypt, libtomcrypt, libtommath, zlib) and the loader.
  const libDir = path.join(root, 'lib', 'x86_64-linux-gnu');
  fs.mkdirSync(libDir, { recursive: true });
  for (const dir of ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu']) {
    const from = path.join(lx, dir);
    if (!fs.existsSync(from)) continue;
    for (const f of fs.readdirSync(from)) {
      const p = path.join(from, f);
      if (!/\.so(\.\d+)*$/.test(f) || fs.lstatSync(p).isDirectory()) continue;
      fs.copyFileSync(fs.realpathSync(p), path.join(libDir, f));
    }
  }
  mk('lib64');
  fs.symlinkSync('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', path.join(root, 'lib64', 'ld-linux-x86-64.so.2'));
  write('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  write('etc/shadow', 'root:*:19000:0:99999:7:::\n', 0o600);
  write('etc/group', 'root:x:0:\n');
  write('etc/shells', '/bin/sh\n');
  write('etc/hostname', 'euca-test-image\n');
  write('etc/inittab', INITTAB);
  write('etc/rc', RC, 0o755);
  write('etc/udhcpc.script', UDHCPC, 0o755);
  write('etc/profile', 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n');

  fs.writeFileSync(path.join(out, 'vmlinuz.tmp'), fs.readFileSync(path.join(kx, 'boot', vmlinuz)));
  fs.writeFileSync(path.join(out, 'initrd.img.tmp'), initrd);
  const rootTmp = path.join(out, 'root.img.tmp');
  fs.rmSync(rootTmp, { force: true });
  run('mke2fs', ['-q', '-t', 'ext2', '-L', 'root', '-d', root, '-E', 'root_owner=0:0', rootTmp, `${ROOT_MIB}M`]);
  for (const f of files) fs.renameSync(`${f}.tmp`, f);
  fs.writeFileSync(stamp, JSON.stringify({ kernel: release, sources }, null, 2) + '\n');
  fs.rmSync(work, { recursive: true, force: true });
  step(`built ${files.map((f) => path.basename(f)).join(', ')} in ${out} (kernel ${release})`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`build-test-image: ${e.stderr?.toString().trim() || e.message}\n`);
  process.exit(1);
}
