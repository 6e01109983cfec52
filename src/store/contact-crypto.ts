import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import { pooledRandomBytes } from '../domain/random-pool.js';

/**
 * What each key derived from ENCRYPTION_KEY is for: the HKDF `info` labels. One master key, one
 * key per purpose, so that no value computed with one purpose (a contact hash, a vendor pseudonym)
 * can ever be used against another (the contacts' ciphertexts). Changing a label changes every
 * key derived with it: these strings are part of the stored data's format.
 */
export const KEY_PURPOSES = {
  contacts: 'rendezvous contacts encryption v2',
  contactHash: 'rendezvous contact hash v2',
  // The identities Rendezvous gives vendors for a person (today Imbee's `virtual_user`); the label
  // names no vendor, as nothing outside src/vendors/ does.
  vendorIdentity: 'rendezvous vendor identity v2',
  // Slack bot tokens, refresh tokens and their expiry of each installation (OAuth install).
  installationTokens: 'rendezvous slack installation tokens v2',
  // The vendor credentials a workspace's admin saved in the App Home (src/store/vendor-accounts-repository.ts).
  vendorAccounts: 'rendezvous vendor accounts v2',
  // A Workflow Builder step's execution token, kept until the step is completed (workflow_steps).
  workflowTokens: 'rendezvous workflow step tokens v2',
} as const;

export type KeyPurpose = keyof typeof KEY_PURPOSES;

/** What values are sealed with (AES-256-GCM): a purpose of its own per kind of stored secret. */
export type SealPurpose = Extract<KeyPurpose, 'contacts' | 'installationTokens'>;

const KEY_BYTES = 32;
const KID_LENGTH = 12;

/** HKDF-SHA256 of the master key for one purpose (no salt: the master key is already random). */
export function deriveKey(master: Buffer, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), KEY_PURPOSES[purpose], KEY_BYTES));
}

/**
 * A key id: the first hex digits of a SHA-256 of the contacts key (itself derived). It names the
 * key in each ciphertext and in logs; it reveals nothing that would help recover the key.
 */
export function keyIdOf(master: Buffer): string {
  return createHash('sha256').update('rendezvous key id\0').update(deriveKey(master, 'contacts')).digest('hex').slice(0, KID_LENGTH);
}

/** The keys derived from one ENCRYPTION_KEY value. */
class KeyGeneration {
  readonly kid: string;
  readonly contactHash: Buffer;
  private readonly sealing: Record<SealPurpose, Buffer>;

  constructor(readonly master: Buffer) {
    this.kid = keyIdOf(master);
    this.contactHash = deriveKey(master, 'contactHash');
    this.sealing = { contacts: deriveKey(master, 'contacts'), installationTokens: deriveKey(master, 'installationTokens') };
  }

  sealKey(purpose: SealPurpose): Buffer {
    return this.sealing[purpose];
  }

  hash(plain: string): string {
    return hmacHex(this.contactHash, plain);
  }

  /** The hash before key versioning: HMAC with ENCRYPTION_KEY itself. */
  legacyHash(plain: string): string {
    return hmacHex(this.master, plain);
  }
}

/**
 * Contacts are stored encrypted (AES-256-GCM, to resend an invitation) and hashed (HMAC-SHA256,
 * to find a person's sessions without decrypting); never in clear.
 *
 * Stored format `v2:<kid>:<iv>:<tag>:<sealed>`: the key id says which ENCRYPTION_KEY (current or
 * ENCRYPTION_KEY_PREVIOUS) sealed it, so the key can be rotated while rows written under the
 * previous one stay readable until the re-key job (./rekey.ts) has converted them. Rows from before
 * versioning (`v1:<iv>:<tag>:<sealed>`) were sealed with the raw ENCRYPTION_KEY: that is the
 * "legacy" key, still accepted for reading (current or previous), never written.
 */
export class ContactCrypto {
  private readonly current: KeyGeneration;
  private readonly previous?: KeyGeneration;

  constructor(key: Buffer, previousKey?: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error('ENCRYPTION_KEY must be 32 bytes');
    if (previousKey && previousKey.length !== KEY_BYTES) throw new Error('ENCRYPTION_KEY_PREVIOUS must be 32 bytes');
    this.current = new KeyGeneration(key);
    if (previousKey && !previousKey.equals(key)) this.previous = new KeyGeneration(previousKey);
    if (this.previous && this.previous.kid === this.current.kid) throw new Error('ENCRYPTION_KEY and ENCRYPTION_KEY_PREVIOUS have the same key id');
  }

  /** The current key's id: every new ciphertext carries it. */
  get kid(): string {
    return this.current.kid;
  }

  /** The prefix of a value sealed under the current key (what the re-key job leaves alone). */
  get currentPrefix(): string {
    return `v2:${this.current.kid}:`;
  }

  isCurrent(stored: string): boolean {
    return stored.startsWith(this.currentPrefix);
  }

  /**
   * Seals a value with the current key for `purpose` (contacts by default). The key id names the
   * ENCRYPTION_KEY; the purpose is not written: each column knows what it holds, and a value
   * moved to a column of another purpose does not open there.
   */
  encrypt(plain: string, purpose: SealPurpose = 'contacts'): string {
    return seal(this.current.sealKey(purpose), this.current.kid, plain);
  }

  decrypt(stored: string, purpose: SealPurpose = 'contacts'): string {
    const parts = stored.split(':');
    // v1 (raw key, before versioning) only ever held contacts.
    if (parts[0] === 'v1' && parts.length === 4 && purpose === 'contacts') return this.decryptLegacy(parts[1]!, parts[2]!, parts[3]!);
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, kid, iv, tag, sealed] = parts as [string, string, string, string, string];
      const generation = this.generations().find((candidate) => candidate.kid === kid);
      if (!generation) throw new Error(`contact sealed under key id ${kid}, which is neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS`);
      return open(generation.sealKey(purpose), iv, tag, sealed);
    }
    throw new Error('unknown contact encryption format');
  }

  /** The contact hash stored with new rows (current key). */
  hash(plain: string): string {
    return this.current.hash(plain);
  }

  /**
   * Every hash a stored row of this contact may carry, current first: during a rotation, rows not
   * yet re-keyed hold the previous key's hash, or the raw key's (rows from before versioning).
   * A lookup by contact matches any of them (`where contact_hash in (…)`).
   */
  lookupHashes(plain: string): string[] {
    const hashes = this.generations().flatMap((generation) => [generation.hash(plain), generation.legacyHash(plain)]);
    return [...new Set(hashes)];
  }

  /**
   * The ENCRYPTION_KEY the release before key versioning ran with: the raw key (current or
   * previous) that opens `v1Sample`, a v1 value it stored. Throws when neither key opens it (the
   * previous release's key is not configured).
   */
  legacyMaster(v1Sample: string): Buffer {
    const [version, iv, tag, sealed] = v1Sample.split(':');
    if (version !== 'v1' || !iv || !tag || !sealed) throw new Error('not a v1 value');
    for (const generation of this.generations()) {
      try {
        open(generation.master, iv, tag, sealed);
        return generation.master;
      } catch {
        // not this one
      }
    }
    throw new Error('contacts stored before key versioning open with neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS: set the key the previous release used');
  }

  /** The previous key's id, during a rotation. */
  get previousKid(): string | undefined {
    return this.previous?.kid;
  }

  /** A key derived from the current ENCRYPTION_KEY for one purpose (see KEY_PURPOSES). */
  derived(purpose: KeyPurpose): Buffer {
    return deriveKey(this.current.master, purpose);
  }

  /**
   * Seals values of another kind than contacts under a key of their own purpose, in the same
   * format (`v2:<kid>:…`, the kid naming the ENCRYPTION_KEY it was derived from), readable under
   * ENCRYPTION_KEY_PREVIOUS during a rotation and re-keyed by ./rekey.ts like the contacts.
   */
  sealer(purpose: Exclude<KeyPurpose, 'contacts' | 'contactHash'>): Sealer {
    const keyOf = (generation: KeyGeneration) => deriveKey(generation.master, purpose);
    const current = this.current;
    const generations = this.generations();
    return {
      currentPrefix: this.currentPrefix,
      seal: (plain) => seal(keyOf(current), current.kid, plain),
      open: (stored) => {
        const parts = stored.split(':');
        if (parts[0] !== 'v2' || parts.length !== 5) throw new Error(`unknown ${purpose} encryption format`);
        const [, kid, iv, tag, sealed] = parts as [string, string, string, string, string];
        const generation = generations.find((candidate) => candidate.kid === kid);
        if (!generation) throw new Error(`${purpose} sealed under key id ${kid}, which is neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS`);
        return open(keyOf(generation), iv, tag, sealed);
      },
    };
  }

  private generations(): KeyGeneration[] {
    return this.previous ? [this.current, this.previous] : [this.current];
  }

  /** v1: sealed with a raw key. GCM's tag tells which one (a wrong key fails authentication). */
  private decryptLegacy(iv: string, tag: string, sealed: string): string {
    let failure: unknown;
    for (const generation of this.generations()) {
      try {
        return open(generation.master, iv, tag, sealed);
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }
}

/** Values of one purpose sealed under keys derived from ENCRYPTION_KEY (ContactCrypto.sealer). */
export interface Sealer {
  /** The prefix of a value sealed under the current key (what the re-key job leaves alone). */
  readonly currentPrefix: string;
  seal(plain: string): string;
  open(stored: string): string;
}

/** AES-256-GCM with a random nonce: `v2:<kid>:<iv>:<tag>:<sealed>`. */
function seal(key: Buffer, kid: string, plain: string): string {
  const iv = pooledRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v2', kid, iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join(':');
}

function open(key: Buffer, iv: string, tag: string, sealed: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
}

function hmacHex(key: Buffer, plain: string): string {
  return createHmac('sha256', key).update(plain.toLowerCase()).digest('hex');
}
