import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT_VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value is malformed or does not decrypt (wrong key, tampered, other context). Never carries the plaintext. */
export class SecretBoxError extends Error {}

/** Decodes ENCRYPTION_KEY: 32 bytes written as 64 hex characters or as base64. */
export function decodeEncryptionKey(encoded: string): Buffer {
  const trimmed = encoded.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) throw new SecretBoxError(`The encryption key must be ${KEY_BYTES} bytes (64 hex characters or base64).`);
  return key;
}

/**
 * Encrypts small secrets at rest with AES-256-GCM.
 * Sealed form: `v1:<iv>:<tag>:<ciphertext>`, each part base64, with a fresh random 12-byte IV per seal.
 * The optional context is authenticated (not stored), so a value sealed for one column cannot be replayed into another.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new SecretBoxError(`The encryption key must be ${KEY_BYTES} bytes.`);
    this.key = Buffer.from(key);
  }

  /** A box for the configured key, or null when none is configured. */
  static fromEncodedKey(encoded: string | undefined): SecretBox | null {
    return encoded ? new SecretBox(decodeEncryptionKey(encoded)) : null;
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [FORMAT_VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':');
  }

  open(sealed: string, context = ''): string {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== FORMAT_VERSION) throw new SecretBoxError('The sealed value has an unknown format.');
    const [, ivText, tagText, ciphertextText] = parts as [string, string, string, string];
    const iv = Buffer.from(ivText, 'base64');
    const tag = Buffer.from(tagText, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('The sealed value has an unknown format.');
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('The sealed value does not decrypt with this key (wrong key or tampered value).');
    }
  }
}
