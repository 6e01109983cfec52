import { randomFillSync } from 'node:crypto';

/**
 * Random bytes from the system's CSPRNG, drawn a few kilobytes at a time: each `randomBytes`
 * call crosses into OpenSSL, about 10 µs for a 12-byte IV, and every creation's ack needs several
 * (IVs, its reference). Node's own `randomUUID` keeps a cache the same way. Bytes are handed out
 * once, copied, and wiped from the pool as they go, so no two callers ever share any.
 */
export class RandomPool {
  private readonly pool: Buffer;
  private offset: number;

  constructor(private readonly size = 4096) {
    this.pool = Buffer.alloc(size);
    this.offset = size;
  }

  bytes(count: number): Buffer {
    if (count > this.size / 4) return randomFillSync(Buffer.alloc(count));
    if (this.offset + count > this.size) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const out = Buffer.from(this.pool.subarray(this.offset, this.offset + count));
    this.pool.fill(0, this.offset, this.offset + count);
    this.offset += count;
    return out;
  }
}

const shared = new RandomPool();

/** `crypto.randomBytes(count)`, drawn from one pool per process. */
export function pooledRandomBytes(count: number): Buffer {
  return shared.bytes(count);
}
