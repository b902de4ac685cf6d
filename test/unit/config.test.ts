/**
 * Endpoint and credential resolution: flags over environment over euca2ools ini files over the
 * local cloud, per value; eucarc and ini parsing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseEucarc } from '../../src/shared/eucarc';
import { parseIni } from '../../src/cli/config/ini';
import { resolveEndpoint } from '../../src/cli/config/resolve';
import { cloudPaths } from '../../src/shared/paths';
import { tempDir } from '../helpers/cli';

const INI = parseIni(`
# comment
[global]
default-region = eu.cloud

[region eu.cloud]
ec2-url = http://ini-host:8773/services/Eucalyptus
iam-url = http://ini-host:8773/services/Euare
user = alice
signature-version = 2
ec2-version = 2010-08-31

[user alice]
key-id = AKIDALICE
secret-key = alice-secret

[user bob]
key-id = AKIDBOB
secret-key = bob-secret
`);

const ctx = (env: Record<string, string>) => ({ env, ini: INI, commandName: 'test' });

test('ini: sections with dots in their names, comments, keys lower-cased', () => {
  assert.deepEqual(INI.get('region eu.cloud')?.['ec2-url'], 'http://ini-host:8773/services/Eucalyptus');
  assert.deepEqual(INI.get('user bob'), { 'key-id': 'AKIDBOB', 'secret-key': 'bob-secret' });
});

test('the config file alone: default region, its user, signature and API version', async () => {
  const ep = await resolveEndpoint('ec2', {}, ctx({}));
  assert.equal(ep.url.toString(), 'http://ini-host:8773/services/Eucalyptus');
  assert.equal(ep.accessKeyId, 'AKIDALICE');
  assert.equal(ep.region, 'eu.cloud');
  assert.equal(ep.signatureVersion, 2);
  assert.equal(ep.apiVersion, '2010-08-31');
  assert.equal(ep.source, 'config');
});

test('--region USER@REGION picks another user', async () => {
  const ep = await resolveEndpoint('iam', { region: 'bob@eu.cloud' }, ctx({}));
  assert.equal(ep.accessKeyId, 'AKIDBOB');
  assert.equal(ep.url.toString(), 'http://ini-host:8773/services/Euare');
  await assert.rejects(resolveEndpoint('ec2', { region: 'carol@eu.cloud' }, ctx({})), /no \[user carol\] section/);
});

test('the environment (source eucarc) beats the config file, and flags beat both', async () => {
  const env = {
    EC2_URL: 'http://env-host/services/Eucalyptus',
    EC2_ACCESS_KEY: 'AKIDENV',
    EC2_SECRET_KEY: 'env-secret',
  };
  const fromEnv = await resolveEndpoint('ec2', {}, ctx(env));
  assert.equal(fromEnv.url.host, 'env-host');
  assert.equal(fromEnv.accessKeyId, 'AKIDENV');
  const fromFlags = await resolveEndpoint(
    'ec2',
    { url: 'https://flag-host/x', 'access-key': 'AKIDFLAG', 'secret-key': 's', 'signature-version': '4' },
    ctx(env),
  );
  assert.equal(fromFlags.url.host, 'flag-host');
  assert.equal(fromFlags.accessKeyId, 'AKIDFLAG');
  assert.equal(fromFlags.signatureVersion, 4);
});

test('the aliases of the key variables, and EUARE_URL / AWS_IAM_URL', async () => {
  const a = await resolveEndpoint(
    'iam',
    {},
    {
      env: { AWS_IAM_URL: 'http://iam-host/', AWS_ACCESS_KEY_ID: 'AKIDA', AWS_SECRET_ACCESS_KEY: 'x' },
      ini: new Map(),
      commandName: 't',
    },
  );
  assert.equal(a.url.host, 'iam-host');
  assert.equal(a.accessKeyId, 'AKIDA');
  const b = await resolveEndpoint(
    's3',
    {},
    {
      env: { S3_URL: 'http://s3-host/services/Walrus', AWS_ACCESS_KEY: 'AKIDB', AWS_SECRET_KEY: 'y' },
      ini: new Map(),
      commandName: 't',
    },
  );
  assert.equal(b.url.host, 's3-host');
  assert.equal(b.accessKeyId, 'AKIDB');
});

test('AWS host names give the signing region; a bad URL is a clear error', async () => {
  const ep = await resolveEndpoint(
    'ec2',
    { url: 'https://ec2.eu-west-1.amazonaws.com', 'access-key': 'a', 'secret-key': 'b' },
    { env: {}, ini: new Map(), commandName: 't' },
  );
  assert.equal(ep.region, 'eu-west-1');
  await assert.rejects(
    resolveEndpoint(
      'ec2',
      { url: 'ftp://x', 'access-key': 'a', 'secret-key': 'b' },
      { env: {}, ini: new Map(), commandName: 't' },
    ),
    /--url is not an http or https URL/,
  );
});

test('nothing configured: the local cloud, found by its pid file and eucarc', async () => {
  const dir = tempDir('euca-local-');
  const paths = cloudPaths(dir);
  fs.mkdirSync(paths.runDir, { recursive: true });
  fs.mkdirSync(paths.credentialsDir, { recursive: true });
  fs.writeFileSync(paths.pidFile, `${process.pid}\n`); // a live pid: no daemon is started
  fs.writeFileSync(
    paths.eucarc,
    'export EC2_URL=http://127.0.0.1:9999/services/Eucalyptus\nexport ' +
      "S3_URL=http://127.0.0.1:9999/services/Walrus\nexport EC2_ACCESS_KEY='AKIDLOCAL'\nexport " +
      "EC2_SECRET_KEY='local-secret'\nexport EC2_CERT=${EUCA_KEY_DIR}/c.pem\n",
  );
  const ep = await resolveEndpoint('s3', {}, { env: { EUCA_LOCAL_DIR: dir }, ini: new Map(), commandName: 't' });
  assert.equal(ep.url.toString(), 'http://127.0.0.1:9999/services/Walrus');
  assert.equal(ep.accessKeyId, 'AKIDLOCAL');
  assert.equal(ep.identity.certificate, path.join(paths.credentialsDir, 'c.pem'));
  assert.equal(ep.source, 'local cloud');
  const iam = await resolveEndpoint('iam', {}, { env: { EUCA_LOCAL_DIR: dir }, ini: new Map(), commandName: 't' });
  assert.equal(iam.url.toString(), 'http://127.0.0.1:9999/services/Euare');
  // Keys given explicitly are kept even against the local cloud.
  const own = await resolveEndpoint(
    'ec2',
    { 'secret-key': 'mine' },
    { env: { EUCA_LOCAL_DIR: dir }, ini: new Map(), commandName: 't' },
  );
  assert.equal(own.secretAccessKey, 'mine');
});

test('eucarc: exports, quotes and ${EUCA_KEY_DIR} relative to its folder', () => {
  const vars = parseEucarc(
    'EUCA_KEY_DIR=$(cd $(dirname ${BASH_SOURCE:-$0}); pwd -P)\nexport ' +
      'EC2_URL=http://h:8773/services/Eucalyptus\nexport EC2_CERT=${EUCA_KEY_DIR}/cert.pem\nexport ' +
      'EC2_ACCESS_KEY=\'AK\'\nexport EC2_SECRET_KEY="S K"\nalias ec2-bundle-image="x"\n',
    '/creds',
  );
  assert.equal(vars.EC2_URL, 'http://h:8773/services/Eucalyptus');
  assert.equal(vars.EC2_CERT, '/creds/cert.pem');
  assert.equal(vars.EC2_ACCESS_KEY, 'AK');
  assert.equal(vars.EC2_SECRET_KEY, 'S K');
});
