import { createCipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * What Rendezvous wrote before key versioning, reproduced independently of src/: contacts sealed
 * `v1:<iv>:<tag>:<sealed>` with the raw ENCRYPTION_KEY, hashed with HMAC(raw key), and Imbee's
 * salt the key in base64.
 */
export function legacyEncrypt(rawKey: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', rawKey, iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join(':');
}

export function legacyHash(rawKey: Buffer, plain: string): string {
  return createHmac('sha256', rawKey).update(plain.toLowerCase()).digest('hex');
}

export function legacySalt(rawKey: Buffer): string {
  return rawKey.toString('base64');
}
