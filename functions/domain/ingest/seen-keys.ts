/**
 * The dedupe keys already seen in one object (interfaces.md §2 "rows_duplicate"), exact, in
 * typed arrays: an open-addressing table of entry ids, each entry's hash, and the key's
 * characters copied into one growing arena (one byte per character below U+00FF, three for
 * others). A million contact ids of 16 characters take ≈ 24 MB here, against ≈ 53 MB as a
 * Set of `${kind}|${id}` strings, and nothing here keeps a reference to the parser's input text
 * (a sliced string would keep its whole chunk alive).
 */

const EMPTY = 0;
const WIDE = 0xff;

export class SeenKeys {
  /** Entry id + 1 per slot; 0 = empty. */
  private slots = new Int32Array(1 << 12);
  private hashes = new Uint32Array(1 << 11);
  /** Entry i's bytes are arena[offsets[i] … offsets[i + 1]). */
  private offsets = new Uint32Array((1 << 11) + 1);
  private arena = new Uint8Array(1 << 15);
  private count = 0;
  /** The probed key, encoded (reused). */
  private probe = new Uint8Array(256);

  get size(): number {
    return this.count;
  }

  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    const n = this.encode(key);
    const h = this.hash;
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const id = (this.slots[slot] as number) - 1;
      if (id < 0) break;
      if (this.hashes[id] === h && this.equals(id, n)) return false;
      slot = (slot + 1) & mask;
    }
    this.insert(slot, h, n);
    return true;
  }

  /** Hash (FNV-1a) of the key last encoded. */
  private hash = 0;

  /** Writes the key's bytes into `probe` and their hash into `hash`; returns the length. */
  private encode(key: string): number {
    const len = key.length;
    if (this.probe.length < len * 3) this.probe = new Uint8Array(len * 3 * 2);
    const probe = this.probe;
    let n = 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < len; i++) {
      const c = key.charCodeAt(i);
      if (c < WIDE) {
        probe[n++] = c;
        h = Math.imul(h ^ c, 0x01000193);
      } else {
        probe[n++] = WIDE;
        probe[n++] = c >>> 8;
        probe[n++] = c & 0xff;
        h = Math.imul(
          Math.imul(Math.imul(h ^ WIDE, 0x01000193) ^ (c >>> 8), 0x01000193) ^ (c & 0xff),
          0x01000193,
        );
      }
    }
    this.hash = h >>> 0;
    return n;
  }

  private equals(id: number, n: number): boolean {
    const start = this.offsets[id] as number;
    if ((this.offsets[id + 1] as number) - start !== n) return false;
    const arena = this.arena;
    const probe = this.probe;
    for (let i = 0; i < n; i++) if (arena[start + i] !== probe[i]) return false;
    return true;
  }

  private insert(slot: number, h: number, n: number): void {
    const id = this.count;
    if (id + 1 >= this.hashes.length) {
      const hashes = new Uint32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const offsets = new Uint32Array(hashes.length + 1);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    const start = this.offsets[id] as number;
    if (start + n > this.arena.length) {
      const arena = new Uint8Array(Math.max(this.arena.length * 2, start + n));
      arena.set(this.arena.subarray(0, start));
      this.arena = arena;
    }
    const arena = this.arena;
    const probe = this.probe;
    for (let i = 0; i < n; i++) arena[start + i] = probe[i] as number;
    this.offsets[id + 1] = start + n;
    this.hashes[id] = h;
    this.slots[slot] = id + 1;
    this.count = id + 1;
    // Keep the load factor at most 1/2.
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = (this.hashes[id] as number) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}
