import { randomBytes } from 'node:crypto';
import { decodeEncryptionKey, SecretBox, SecretBoxError } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and never stores the plaintext', () => {
    const sealed = box.seal('s3cret-value', 'ctx');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain('s3cret-value');
    expect(box.open(sealed, 'ctx')).toBe('s3cret-value');
  });

  it('uses a fresh 12-byte IV for every seal', () => {
    const a = box.seal('same');
    const b = box.seal('same');
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split(':')[1]!, 'base64')).toHaveLength(12);
  });

  it('refuses another key, another context, a tampered value and an unknown format', () => {
    const sealed = box.seal('value', 'ctx');
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'ctx')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'other')).toThrow(SecretBoxError);
    const parts = sealed.split(':');
    const ciphertext = Buffer.from(parts[3]!, 'base64');
    ciphertext[0] = ciphertext[0]! ^ 1;
    expect(() => box.open([parts[0], parts[1], parts[2], ciphertext.toString('base64')].join(':'), 'ctx')).toThrow(SecretBoxError);
    expect(() => box.open('v2:a:b:c')).toThrow(SecretBoxError);
  });

  it('decodes a key from 64 hex characters or base64, and refuses other lengths', () => {
    const key = randomBytes(32);
    expect(decodeEncryptionKey(key.toString('hex')).equals(key)).toBe(true);
    expect(decodeEncryptionKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => decodeEncryptionKey('abcd')).toThrow(SecretBoxError);
    expect(SecretBox.fromEncodedKey(undefined)).toBeNull();
  });
});
