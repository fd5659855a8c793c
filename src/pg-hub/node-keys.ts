import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PgHubError } from '../errors/pg-hub-error.js';
import { assertNodeName } from './node-name.js';

/**
 * A node's identity: an ed25519 key pair (node:crypto). The private key stays in a 0600 file on the node; only
 * the public key (SPKI PEM) goes to the hub's allow-list or to peers. Nothing here logs or returns private key
 * material as text.
 */
export interface NodeKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface KeyFiles {
  privateKeyFile: string;
  publicKeyFile: string;
}

/** ~/.mux-swarm/keys */
export function defaultKeyDirectory(): string {
  return join(homedir(), '.mux-swarm', 'keys');
}

/** `<dir>/<node>.key` (PKCS#8 PEM, 0600) and `<dir>/<node>.pub` (SPKI PEM). */
export function keyFilesFor(directory: string, node: string): KeyFiles {
  assertNodeName(node);
  return { privateKeyFile: join(directory, `${node}.key`), publicKeyFile: join(directory, `${node}.pub`) };
}

export function generateNodeKeys(): NodeKeyPair {
  return generateKeyPairSync('ed25519');
}

/** Writes a key pair; refuses to replace an existing private key unless `force`. */
export function writeNodeKeys(
  directory: string,
  node: string,
  keys: NodeKeyPair,
  options: { force?: boolean } = {},
): KeyFiles {
  const files = keyFilesFor(directory, node);
  if (!options.force && existsSync(files.privateKeyFile)) {
    throw new PgHubError(
      'key_exists',
      `${files.privateKeyFile} already exists: keep it (its public key is ${files.publicKeyFile}), or pass --force to replace it (peers then need the new public key on the allow-list)`,
    );
  }
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' });
  writeFileSync(files.privateKeyFile, privatePem, { mode: 0o600 });
  chmodSync(files.privateKeyFile, 0o600); // the mode above applies only when the file is created
  writeFileSync(files.publicKeyFile, publicKeyPem(keys.publicKey), { mode: 0o644 });
  return files;
}

/** Reads a node's private key file; refuses a file others can read, and anything but ed25519. */
export function loadPrivateKey(file: string): KeyObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PgHubError(
      'key_missing',
      `cannot read the private key ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (create one with \`mux-swarm hub keygen --node <name>\`)`,
    );
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    throw new PgHubError('key_permissions', `the private key ${file} is readable by other users: chmod 600 ${file}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new PgHubError('key_invalid', `${file} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new PgHubError(
      'key_invalid',
      `${file} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; mux-swarm nodes use ed25519`,
    );
  return key;
}

/** A public key from PEM text, or from a file holding it. */
export function parsePublicKey(pemOrFile: string): KeyObject {
  const text = pemOrFile.includes('-----BEGIN') ? pemOrFile : readPublicKeyFile(pemOrFile);
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    throw new PgHubError(
      'key_invalid',
      'not a PEM public key (expected "-----BEGIN PUBLIC KEY-----", as written by `mux-swarm hub keygen`)',
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new PgHubError(
      'key_invalid',
      `a ${key.asymmetricKeyType ?? 'non-asymmetric'} public key; mux-swarm nodes use ed25519`,
    );
  return key;
}

function readPublicKeyFile(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    if (text.includes('PRIVATE KEY'))
      throw new PgHubError(
        'key_invalid',
        `${file} holds a private key: pass the public key (${file.replace(/\.key$/, '.pub')})`,
      );
    return text;
  } catch (error) {
    if (error instanceof PgHubError) throw error;
    throw new PgHubError(
      'key_missing',
      `cannot read the public key ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

export function publicKeyPem(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** `ed25519:<first 16 bytes of sha256(SPKI DER), hex>`: short enough to print, long enough to tell keys apart. */
export function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 32)}`;
}

/** Signs `message` (ed25519 signs the message itself: no digest is given to crypto.sign). Base64. */
export function signMessage(message: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64');
}

export function messageSignatureValid(message: string, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return verify(null, Buffer.from(message, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
