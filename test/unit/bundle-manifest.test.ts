/**
 * The bundle manifest and keys: build → serialize → parse round trip, the signature over
 * machine_configuration + image (checked with Node's crypto directly, and failing when the text
 * is touched), manifests as the EC2 AMI tools write them, key wrapping for the user and the cloud.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { before, describe, test } from 'node:test';
import { CliError } from '../../src/shared/errors';
import { decryptBundleKeys, generateBundleKeys, unwrapKey, wrapKey } from '../../src/shared/bundle/keys';
import {
  type Manifest,
  parseManifest,
  serializeManifest,
  signedText,
  verifyManifestSignature,
} from '../../src/shared/bundle/manifest';
import { tempDir } from '../helpers/cli';
import { type TestIdentity, testIdentity } from '../helpers/keys';

let id: TestIdentity;
let pem: { userCert: string; userKey: string; cloudCert: string; cloudKey: string };
before(() => {
  id = testIdentity(tempDir('euca-bundle-unit-'));
  pem = {
    userCert: fs.readFileSync(id.userCert, 'utf8'),
    userKey: fs.readFileSync(id.userKey, 'utf8'),
    cloudCert: fs.readFileSync(id.cloudCert, 'utf8'),
    cloudKey: fs.readFileSync(id.cloudKey, 'utf8'),
  };
});

function sample(): Manifest {
  const keys = generateBundleKeys();
  return {
    version: '2007-10-10',
    bundler: { name: 'euca2ools', version: '0.1.0', release: '0' },
    machineConfiguration: {
      architecture: 'x86_64',
      blockDeviceMappings: { ami: 'sda1', root: '/dev/sda1', ephemeral0: 'sda2', swap: 'sda3' },
      productCodes: ['A1B2C3D4'],
      kernelId: 'eki-5B3D3859',
      ramdiskId: 'eri-722B3CBA',
    },
    image: {
      name: 'fedora & <friends>.img',
      user: '123456789012',
      type: 'machine',
      digest: 'a'.repeat(40),
      digestAlgorithm: 'SHA1',
      size: 12345,
      bundledSize: 5008,
      cipherAlgorithm: 'AES-128-CBC',
      ec2EncryptedKey: wrapKey(keys.key, pem.cloudCert),
      userEncryptedKey: wrapKey(keys.key, pem.userCert),
      ec2EncryptedIv: wrapKey(keys.iv, pem.cloudCert),
      userEncryptedIv: wrapKey(keys.iv, pem.userCert),
      parts: [
        { index: 0, filename: 'fedora.img.part.00', digest: 'b'.repeat(40) },
        { index: 1, filename: 'fedora.img.part.01', digest: 'c'.repeat(40) },
      ],
    },
  };
}

describe('the manifest', () => {
  test('serializes in euca2ools order and parses back to the same manifest', () => {
    const m = sample();
    const xml = serializeManifest(m, pem.userKey);
    assert.match(
      xml,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<manifest><version>2007-10-10<\/version><bundler><name>euca2ools<\/name><version>0.1.0<\/version><release>0<\/release><\/bundler><machine_configuration><architecture>x86_64<\/architecture><block_device_mapping><mapping><virtual>ami<\/virtual><device>sda1<\/device><\/mapping>/,
    );
    assert.match(
      xml,
      /<\/block_device_mapping><product_codes><product_code>A1B2C3D4<\/product_code><\/product_codes><kernel_id>eki-5B3D3859<\/kernel_id><ramdisk_id>eri-722B3CBA<\/ramdisk_id><\/machine_configuration>/,
    );
    assert.match(
      xml,
      /<image><name>fedora &amp; &lt;friends&gt;.img<\/name><user>123456789012<\/user><type>machine<\/type><digest algorithm="SHA1">a{40}<\/digest><size>12345<\/size><bundled_size>5008<\/bundled_size><ec2_encrypted_key algorithm="AES-128-CBC">[0-9a-f]{512}<\/ec2_encrypted_key><user_encrypted_key algorithm="AES-128-CBC">[0-9a-f]{512}<\/user_encrypted_key><ec2_encrypted_iv>[0-9a-f]{512}<\/ec2_encrypted_iv><user_encrypted_iv>[0-9a-f]{512}<\/user_encrypted_iv><parts count="2"><part index="0"><filename>fedora.img.part.00<\/filename><digest algorithm="SHA1">b{40}<\/digest><\/part>/,
    );
    assert.match(xml, /<\/image><signature>[0-9a-f]{512}<\/signature><\/manifest>\n$/);
    const back = parseManifest(xml);
    const { signature, ...rest } = back;
    assert.match(signature!, /^[0-9a-f]{512}$/);
    assert.deepEqual(rest, m);
  });

  test('the signature is RSA-SHA1 over machine_configuration + image as written, and fails when tampered', () => {
    const xml = serializeManifest(sample(), pem.userKey);
    const mc = xml.slice(
      xml.indexOf('<machine_configuration>'),
      xml.indexOf('</machine_configuration>') + '</machine_configuration>'.length,
    );
    const image = xml.slice(xml.indexOf('<image>'), xml.indexOf('</image>') + '</image>'.length);
    assert.equal(signedText(xml), mc + image);
    const sig = Buffer.from(parseManifest(xml).signature!, 'hex');
    assert.ok(crypto.verify('sha1', Buffer.from(mc + image), crypto.createPublicKey(pem.userKey), sig));
    assert.ok(verifyManifestSignature(xml, pem.userCert));
    assert.equal(verifyManifestSignature(xml, pem.cloudCert), false, 'another key');
    assert.equal(
      verifyManifestSignature(xml.replace('<size>12345</size>', '<size>12346</size>'), pem.userCert),
      false,
      'image changed',
    );
    assert.equal(
      verifyManifestSignature(xml.replace('<architecture>x86_64<', '<architecture>i386<'), pem.userCert),
      false,
      'configuration changed',
    );
  });

  test('parses manifests laid out differently: EC2 AMI tools order, whitespace, no product codes', () => {
    const m = sample();
    const xml = `<?xml version='1.0'?>
<manifest>
  <version>2007-10-10</version>
  <bundler><name>ec2-ami-tools</name><version>1.5.7</version><release>1</release></bundler>
  <machine_configuration>
    <architecture>i386</architecture>
    <block_device_mapping>
      <mapping><virtual>ami</virtual><device>sda1</device></mapping>
    </block_device_mapping>
    <kernel_id>aki-12345678</kernel_id>
  </machine_configuration>
  <image>
    <name>disk.img</name><user>123456789012</user><type>machine</type>
    <digest algorithm='SHA1'>  ${'D'.repeat(40)}  </digest>
    <size>100</size><bundled_size>64</bundled_size>
    <ec2_encrypted_key algorithm='AES-128-CBC'>${m.image.ec2EncryptedKey}</ec2_encrypted_key>
    <user_encrypted_key algorithm='AES-128-CBC'>${m.image.userEncryptedKey}</user_encrypted_key>
    <ec2_encrypted_iv>${m.image.ec2EncryptedIv}</ec2_encrypted_iv>
    <user_encrypted_iv>${m.image.userEncryptedIv}</user_encrypted_iv>
    <parts count='2'>
      <part index='1'><filename>disk.img.part.1</filename><digest algorithm='SHA1'>${'e'.repeat(40)}</digest></part>
      <part index='0'><filename>disk.img.part.0</filename><digest algorithm='SHA1'>${'f'.repeat(40)}</digest></part>
    </parts>
  </image>
  <signature>00</signature>
</manifest>`;
    const p = parseManifest(xml);
    assert.equal(p.machineConfiguration.architecture, 'i386');
    assert.deepEqual(p.machineConfiguration.blockDeviceMappings, { ami: 'sda1' });
    assert.deepEqual(p.machineConfiguration.productCodes, []);
    assert.equal(p.machineConfiguration.kernelId, 'aki-12345678');
    assert.equal(p.machineConfiguration.ramdiskId, undefined);
    assert.equal(p.image.digest, 'd'.repeat(40));
    assert.deepEqual(
      p.image.parts.map((x) => x.filename),
      ['disk.img.part.0', 'disk.img.part.1'],
    );
    assert.equal(p.image.size, 100);
    assert.equal(p.bundler?.name, 'ec2-ami-tools');
  });

  test('a document that is not XML, or not a bundle manifest, is an InvalidManifest error', () => {
    for (const text of [
      'this is not xml <<<',
      '{"manifest": 1}',
      '<manifest><version>2007-10-10</version></manifest>',
      '<html><body>hi</body></html>',
      '',
    ]) {
      assert.throws(
        () => parseManifest(text),
        (e: unknown) => e instanceof CliError && e.code === 'InvalidManifest',
        text,
      );
    }
    const noSize = serializeManifest(sample(), pem.userKey).replace(/<size>\d+<\/size>/, '');
    assert.throws(() => parseManifest(noSize), /<image\/size> is missing/);
    const wrongCount = serializeManifest(sample(), pem.userKey).replace('count="2"', 'count="3"');
    assert.throws(() => parseManifest(wrongCount), /lists 2 parts but says count="3"/);
    // A part is a plain file name: a manifest from a bucket never writes a part elsewhere.
    const good = serializeManifest(sample(), pem.userKey);
    const first = /<filename>([^<]+)<\/filename>/.exec(good)![1];
    for (const name of ['../../etc/cron.d/x', '/tmp/x', 'a/b', '..', 'a\\b'])
      assert.throws(
        () => parseManifest(good.replace(`<filename>${first}</filename>`, `<filename>${name}</filename>`)),
        /is not a part's file name/,
        name,
      );
  });
});

describe('the bundle keys', () => {
  test('are wrapped as their hex strings, for the user and the cloud, and unwrap with either key', () => {
    const m = sample();
    const user = decryptBundleKeys(m, pem.userKey, 'user');
    const cloud = decryptBundleKeys(m, pem.cloudKey, 'ec2');
    assert.deepEqual(user, cloud);
    assert.equal(user.key.length, 16);
    // What is encrypted is the 32-character hex text: Node's raw RSA shows the PKCS#1 v1.5 block.
    const raw = crypto.privateDecrypt(
      { key: pem.userKey, padding: crypto.constants.RSA_NO_PADDING },
      Buffer.from(m.image.userEncryptedKey!, 'hex'),
    );
    assert.equal(raw[0], 0);
    assert.equal(raw[1], 2);
    assert.equal(raw.subarray(raw.length - 32).toString('ascii'), user.key.toString('hex'));
    assert.deepEqual(decryptBundleKeys(m, pem.cloudKey, 'either'), user);
  });

  test('a key that does not match gives KeyMismatch saying so', () => {
    const m = sample();
    const stranger = crypto
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const which of ['user', 'ec2', 'either'] as const) {
      assert.throws(
        () => decryptBundleKeys(m, stranger, which),
        (e: unknown) =>
          e instanceof CliError && e.code === 'KeyMismatch' && /private key does not match the bundle/.test(e.message),
      );
    }
    assert.throws(() => decryptBundleKeys(m, pem.cloudKey, 'user'), /does not match/);
  });

  test('wrapKey and unwrapKey are inverses; PKCS#8 keys work as well as PKCS#1', () => {
    const secret = crypto.randomBytes(16);
    const pkcs8 = crypto.createPrivateKey(pem.userKey).export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.deepEqual(unwrapKey(wrapKey(secret, pem.userCert), pkcs8), secret);
  });
});
