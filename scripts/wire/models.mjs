// Refreshes src/shared/wire/models/{ec2,iam,s3}.json from AWS's own service models (botocore's JSON,
// the same shapes as AWS's Smithy models): only the operations this cloud serves (served.json),
// only the shapes they reach, no documentation. EC2's older API versions (which euca2ools sends)
// are folded in: a request member an older version has and the newest lacks is kept.
//
//   node scripts/wire/models.mjs [BOTOCORE_DATA_DIR]   (default: python3's botocore)
//
// The generated code (scripts/wire/generate.mjs) is made from these files, which are checked in.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = path.join(root, 'src', 'shared', 'wire', 'models');
const served = JSON.parse(fs.readFileSync(path.join(out, 'served.json'), 'utf8'));
const data =
  process.argv[2] ??
  path.join(
    execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8',
    }).trim(),
    'data',
  );

const read = (service, version) => {
  const file = path.join(data, service, version, 'service-2.json');
  const raw = fs.existsSync(file) ? fs.readFileSync(file) : zlib.gunzipSync(fs.readFileSync(`${file}.gz`));
  return JSON.parse(raw.toString('utf8'));
};
const versions = (service) => fs.readdirSync(path.join(data, service)).sort();

/** A shape without its documentation (and without members' documentation). */
function strip(shape) {
  const { documentation, ...rest } = shape;
  void documentation;
  if (rest.members)
    rest.members = Object.fromEntries(
      Object.entries(rest.members).map(([k, m]) => {
        const { documentation: d, ...mm } = m;
        void d;
        return [k, mm];
      }),
    );
  if (rest.member) {
    const { documentation: d, ...mm } = rest.member;
    void d;
    rest.member = mm;
  }
  return rest;
}

/** The shapes `names` reach in `model`, stripped, into `into`. */
function reach(model, names, into) {
  const stack = [...names];
  while (stack.length) {
    const name = stack.pop();
    if (into[name]) continue;
    const shape = model.shapes[name];
    if (!shape) throw new Error(`no shape ${name}`);
    into[name] = strip(shape);
    for (const m of Object.values(shape.members ?? {})) stack.push(m.shape);
    if (shape.member) stack.push(shape.member.shape);
    if (shape.key) stack.push(shape.key.shape, shape.value.shape);
  }
  return into;
}

/** The wire key of a request member, as the EC2 protocol sends it. */
const ec2Key = (name, m) =>
  m.queryName ?? (m.locationName ? m.locationName[0].toUpperCase() + m.locationName.slice(1) : name);

/**
 * Copies an older version's shape (and those it reaches) into `target`, under its own name when
 * the newest has none or the same, else under NAME_VERSION; answers the name it has there.
 */
function adopter(target) {
  return (older, name, version) => {
    const shapes = reach(older, [name], {});
    const renamed = {};
    for (const [sn, sh] of Object.entries(shapes))
      renamed[sn] =
        target.shapes[sn] && JSON.stringify(target.shapes[sn]) !== JSON.stringify(sh)
          ? `${sn}_${version.replaceAll('-', '')}`
          : sn;
    for (const [sn, sh] of Object.entries(shapes)) {
      const copy = JSON.parse(JSON.stringify(sh));
      for (const mm of Object.values(copy.members ?? {})) mm.shape = renamed[mm.shape];
      if (copy.member) copy.member.shape = renamed[copy.member.shape];
      target.shapes[renamed[sn]] ??= copy;
    }
    return renamed[name];
  };
}

function extract(service, ops) {
  const all = versions(service);
  const newest = read(service, all[all.length - 1]);
  const model = { metadata: { ...newest.metadata }, operations: {}, shapes: {} };
  const adopt = adopter(model);
  delete model.metadata.uid;
  for (const op of ops) {
    const o = newest.operations[op];
    if (!o) throw new Error(`${service} has no operation ${op}`);
    model.operations[op] = { name: op, input: o.input, output: o.output };
    reach(newest, [o.input?.shape, o.output?.shape].filter(Boolean), model.shapes);
  }
  if (service === 'ec2') {
    // Older versions: request and answer members the newest model no longer has (euca2ools
    // sends and reads them: `<return>true</return>` of AssociateAddress, say).
    for (const v of all.slice(0, -1)) {
      const older = read(service, v);
      for (const op of ops) {
        const o = older.operations[op];
        if (!o) continue;
        for (const side of ['input', 'output']) {
          const mine = model.operations[op][side]?.shape;
          if (!o[side] || !mine) continue;
          const members = model.shapes[mine].members;
          const keyOf = side === 'input' ? ec2Key : (n, m) => m.locationName ?? n;
          const keys = new Set(Object.entries(members).map(([n, m]) => keyOf(n, m)));
          for (const [name, m] of Object.entries(older.shapes[o[side].shape].members ?? {})) {
            if (keys.has(keyOf(name, m)) || members[name]) continue;
            members[name] = { ...strip({ ...m }), shape: adopt(older, m.shape, v), olderVersion: v };
            keys.add(keyOf(name, m));
          }
        }
      }
    }
  }
  const sorted = Object.fromEntries(Object.entries(model.shapes).sort(([a], [b]) => a.localeCompare(b)));
  model.shapes = sorted;
  fs.writeFileSync(path.join(out, `${service}.json`), JSON.stringify(model, null, 1) + '\n');
  console.log(`${service}: ${Object.keys(model.operations).length} operations, ${Object.keys(sorted).length} shapes`);
}

extract('ec2', served.ec2);
extract('iam', served.iam);
extract('s3', served.s3);
