import { pooledRandomBytes } from './random-pool.js';

/** RFC 4648 base32: no 0/1/8/9, so a reference read aloud or retyped is not misread as O/I/B/g. */
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const REFERENCE_PREFIX = 'RDV-';
const REFERENCE_CHARS = 8;
/** 8 base32 characters carry exactly 40 bits, i.e. 5 bytes. */
const RANDOM_BYTES = 5;

export type RandomSource = (size: number) => Uint8Array;

/** The reference given to a session when the agent sets none (`ref:`): `RDV-` + 8 base32 chars. */
export function generateReference(random: RandomSource = pooledRandomBytes): string {
  const bytes = random(RANDOM_BYTES);
  if (bytes.length < RANDOM_BYTES) throw new Error(`random source returned ${bytes.length} bytes, ${RANDOM_BYTES} needed`);
  let bits = 0n;
  for (const byte of bytes.subarray(0, RANDOM_BYTES)) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = REFERENCE_CHARS - 1; i >= 0; i--) {
    out += BASE32_ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  }
  return REFERENCE_PREFIX + out;
}

/**
 * A business reference (case or ticket number) as agents type it. The small character set
 * covers usual case numbers (`CASE-1234`, `INC#42`, `2024/17`) and excludes spaces, quotes and
 * angle brackets, so a reference stays one word in the command and cannot break a message.
 */
export function isValidReference(s: string): boolean {
  return /^[A-Za-z0-9\-_./#:]{1,64}$/.test(s);
}
