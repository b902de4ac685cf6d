/**
 * The EC2 AMI bundle manifest, version 2007-10-10: building its XML, parsing it, and its
 * signature. The layout and element order are those euca2ools and the EC2 AMI tools write:
 * version, bundler, machine_configuration (architecture, block_device_mapping, product_codes,
 * kernel_id, ramdisk_id), image (name, user, type, digest, size, bundled_size, the four encrypted
 * key elements, parts), signature. The signature is RSA-SHA1 (PKCS#1 v1.5) over the
 * `<machine_configuration>` element followed by the `<image>` element exactly as they appear in the
 * text, so it is computed and checked on the text itself, never on a re-serialization.
 */
import * as crypto from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CliError } from '../errors';

export const MANIFEST_VERSION = '2007-10-10';
export const CIPHER_ALGORITHM = 'AES-128-CBC';
export const DIGEST_ALGORITHM = 'SHA1';

export type ImageType = 'machine' | 'kernel' | 'ramdisk';

export interface ManifestPart {
  index: number;
  filename: string;
  /** Lowercase hex. */
  digest: string;
}

export interface Manifest {
  version: string;
  bundler?: { name?: string; version?: string; release?: string };
  machineConfiguration: {
    architecture?: string;
    /** virtual name → device, in the manifest's order. */
    blockDeviceMappings: Record<string, string>;
    productCodes: string[];
    /** An eki- id, or "true" on a Eucalyptus kernel bundle. */
    kernelId?: string;
    /** An eri- id, or "true" on a Eucalyptus ramdisk bundle. */
    ramdiskId?: string;
  };
  image: {
    name: string;
    /** The account id of the bundler. */
    user: string;
    type: string;
    /** SHA1 of the tar stream, hex. */
    digest: string;
    digestAlgorithm: string;
    size: number;
    bundledSize: number;
    cipherAlgorithm: string;
    ec2EncryptedKey: string;
    userEncryptedKey?: string;
    ec2EncryptedIv: string;
    userEncryptedIv?: string;
    parts: ManifestPart[];
  };
  /** Hex; absent until signed. */
  signature?: string;
}

// --- building ---

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function el(name: string, content: string | number | undefined, attrs: Record<string, string | number> = {}): string {
  if (content === undefined) return '';
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  return `<${name}${a}>${content}</${name}>`;
}

const text = (v: string | undefined) => (v === undefined ? undefined : escapeXml(v));

function machineConfigurationXml(m: Manifest['machineConfiguration']): string {
  const mappings = Object.entries(m.blockDeviceMappings);
  return el(
    'machine_configuration',
    el('architecture', text(m.architecture)) +
      (mappings.length
        ? el(
            'block_device_mapping',
            mappings.map(([v, d]) => el('mapping', el('virtual', text(v)) + el('device', text(d)))).join(''),
          )
        : '') +
      (m.productCodes.length
        ? el('product_codes', m.productCodes.map((c) => el('product_code', text(c))).join(''))
        : '') +
      el('kernel_id', text(m.kernelId)) +
      el('ramdisk_id', text(m.ramdiskId)),
  );
}

function imageXml(i: Manifest['image']): string {
  const alg = { algorithm: i.cipherAlgorithm };
  return el(
    'image',
    el('name', text(i.name)) +
      el('user', text(i.user)) +
      // type right after user: EC2 requires it there.
      el('type', text(i.type)) +
      el('digest', text(i.digest), { algorithm: i.digestAlgorithm }) +
      el('size', i.size) +
      el('bundled_size', i.bundledSize) +
      el('ec2_encrypted_key', text(i.ec2EncryptedKey), alg) +
      el('user_encrypted_key', text(i.userEncryptedKey), alg) +
      el('ec2_encrypted_iv', text(i.ec2EncryptedIv)) +
      el('user_encrypted_iv', text(i.userEncryptedIv)) +
      el(
        'parts',
        i.parts
          .map((p) =>
            el(
              'part',
              el('filename', text(p.filename)) + el('digest', text(p.digest), { algorithm: i.digestAlgorithm }),
              { index: p.index },
            ),
          )
          .join(''),
        { count: i.parts.length },
      ),
  );
}

/** The manifest's XML text, signed with the user's private key (PEM). */
export function serializeManifest(manifest: Manifest, privateKeyPem: string): string {
  const b = manifest.bundler ?? {};
  const signed = machineConfigurationXml(manifest.machineConfiguration) + imageXml(manifest.image);
  const signature = crypto.sign('sha1', Buffer.from(signed, 'utf8'), privateKeyPem).toString('hex');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest>' +
    el('version', text(manifest.version)) +
    el('bundler', el('name', text(b.name)) + el('version', text(b.version)) + el('release', text(b.release))) +
    signed +
    el('signature', signature) +
    '</manifest>\n'
  );
}

// --- the signature ---

function elementText(xml: string, name: string): string | undefined {
  const start = xml.indexOf(`<${name}>`);
  const endTag = `</${name}>`;
  const end = xml.indexOf(endTag, start);
  return start < 0 || end < 0 ? undefined : xml.slice(start, end + endTag.length);
}

/** What the signature covers: the machine_configuration and image elements as written. */
export function signedText(xml: string): string {
  const image = elementText(xml, 'image');
  if (image === undefined) throw new CliError('InvalidManifest', 'not a bundle manifest: it has no <image> element');
  return (elementText(xml, 'machine_configuration') ?? '') + image;
}

/** True when the manifest's signature was made by the key of this certificate (PEM). */
export function verifyManifestSignature(xmlText: string, certPem: string): boolean {
  return verifyManifestSignatureWith(xmlText, new crypto.X509Certificate(certPem).publicKey);
}

/** True when the manifest's signature was made by this public key (or the public half of a private one). */
export function verifyManifestSignatureWith(xmlText: string, key: crypto.KeyLike): boolean {
  const signature = parseManifest(xmlText).signature;
  if (!signature || !/^[0-9a-fA-F]+$/.test(signature)) return false;
  const publicKey = key instanceof crypto.KeyObject && key.type === 'public' ? key : crypto.createPublicKey(key);
  return crypto.verify('sha1', Buffer.from(signedText(xmlText), 'utf8'), publicKey, Buffer.from(signature, 'hex'));
}

// --- parsing ---

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  removeNSPrefix: true,
  isArray: (name) => ['part', 'mapping', 'product_code', 'block_device_mapping', 'product_codes'].includes(name),
});

type Node = Record<string, any>;

/** An element's text whether it has attributes or not. */
function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const t = (v as Node)['#text'];
    return t === undefined ? '' : String(t).trim();
  }
  return String(v).trim();
}

/**
 * A part's file name must be a plain name: a manifest is read from a bucket or a stranger's
 * bundle, and the parts it names are written beside it, never elsewhere (no "/", no "..").
 */
function partName(name: string): string {
  if (name === '.' || name === '..' || /[/\\\0]/.test(name))
    throw new CliError('InvalidManifest', `not a valid bundle manifest: "${name}" is not a part's file name`);
  return name;
}

function required(node: Node, key: string, where: string): string {
  const v = textOf(node[key]);
  if (v === undefined || v === '')
    throw new CliError('InvalidManifest', `not a valid bundle manifest: <${where}/${key}> is missing or empty`);
  return v;
}

function integer(node: Node, key: string): number {
  const v = required(node, key, 'image');
  if (!/^\d+$/.test(v))
    throw new CliError('InvalidManifest', `not a valid bundle manifest: <image/${key}> is not a number: ${v}`);
  return Number(v);
}

/** A typed manifest from XML written by euca2ools, the EC2 AMI tools, or this toolkit. */
export function parseManifest(xml: string | Buffer): Manifest {
  const source = xml.toString();
  if (XMLValidator.validate(source) !== true)
    throw new CliError('InvalidManifest', 'the manifest is not an XML document');
  const root = parser.parse(source) as Node;
  const m = root.manifest as Node | undefined;
  if (!m || typeof m !== 'object' || typeof m.image !== 'object') {
    throw new CliError('InvalidManifest', 'not a bundle manifest: no <manifest> element with an <image>');
  }
  const mc = (typeof m.machine_configuration === 'object' ? m.machine_configuration : {}) as Node;
  const image = m.image as Node;

  const blockDeviceMappings: Record<string, string> = {};
  for (const bdm of (mc.block_device_mapping ?? []) as Node[]) {
    for (const mapping of (bdm?.mapping ?? []) as Node[]) {
      const virtual = textOf(mapping.virtual);
      const device = textOf(mapping.device);
      if (virtual && device) blockDeviceMappings[virtual] = device;
    }
  }
  const productCodes: string[] = [];
  for (const pc of (mc.product_codes ?? []) as Node[])
    for (const c of (pc?.product_code ?? []) as unknown[]) productCodes.push(textOf(c) ?? '');

  const partsNode = image.parts as Node | undefined;
  if (!partsNode || typeof partsNode !== 'object')
    throw new CliError('InvalidManifest', 'not a valid bundle manifest: <image/parts> is missing');
  const parts: ManifestPart[] = ((partsNode.part ?? []) as Node[]).map((p, i) => ({
    index: p['@index'] !== undefined ? Number(p['@index']) : i,
    filename: partName(required(p, 'filename', 'part')),
    digest: required(p, 'digest', 'part').toLowerCase(),
  }));
  parts.sort((a, b) => a.index - b.index);
  parts.forEach((p, i) => {
    if (p.index !== i) throw new CliError('InvalidManifest', `not a valid bundle manifest: part index ${i} is missing`);
  });
  const count = partsNode['@count'];
  if (count !== undefined && Number(count) !== parts.length) {
    throw new CliError(
      'InvalidManifest',
      `not a valid bundle manifest: it lists ${parts.length} parts but says count="${count}"`,
    );
  }

  const bundler = typeof m.bundler === 'object' ? (m.bundler as Node) : undefined;
  return {
    version: textOf(m.version) ?? '',
    bundler: bundler && {
      name: textOf(bundler.name),
      version: textOf(bundler.version),
      release: textOf(bundler.release),
    },
    machineConfiguration: {
      architecture: textOf(mc.architecture),
      blockDeviceMappings,
      productCodes,
      kernelId: textOf(mc.kernel_id) || undefined,
      ramdiskId: textOf(mc.ramdisk_id) || undefined,
    },
    image: {
      name: required(image, 'name', 'image'),
      user: textOf(image.user) ?? '',
      type: textOf(image.type) || 'machine',
      digest: required(image, 'digest', 'image').toLowerCase(),
      digestAlgorithm: (image.digest as Node)?.['@algorithm'] ?? DIGEST_ALGORITHM,
      size: integer(image, 'size'),
      bundledSize: integer(image, 'bundled_size'),
      cipherAlgorithm:
        (image.ec2_encrypted_key as Node)?.['@algorithm'] ??
        (image.user_encrypted_key as Node)?.['@algorithm'] ??
        CIPHER_ALGORITHM,
      ec2EncryptedKey: textOf(image.ec2_encrypted_key) ?? '',
      userEncryptedKey: textOf(image.user_encrypted_key) || undefined,
      ec2EncryptedIv: textOf(image.ec2_encrypted_iv) ?? '',
      userEncryptedIv: textOf(image.user_encrypted_iv) || undefined,
      parts,
    },
    signature: textOf(m.signature) || undefined,
  };
}
