/** FNV-1a over every UTF-16 code unit (structured ids may differ anywhere). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Dense ids for strings on typed arrays (open addressing, linear probing). A day joins a
 * million contact ids and caller tokens: a Map<string, …> that size costs hundreds of
 * nanoseconds an operation, this a few tens and no allocation per key. Equal hashes are
 * confirmed by comparing the strings, so a collision costs time, never a wrong answer.
 */
export class StringIndex {
  /** Per slot, two entries: the key's hash and its id + 1 (0 = empty slot). */
  private slots: Int32Array;
  private mask: number;
  /** The keys by id. */
  readonly keys: string[] = [];

  /** `capacity`: the distinct keys expected (the index grows past it when needed). */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size * 2);
    this.mask = size - 1;
  }

  get size(): number {
    return this.keys.length;
  }

  /** The id of `key` (whose hash is `h`), or -1. */
  find(key: string, h: number): number {
    const hash = h | 0;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = (this.slots[slot * 2 + 1] as number) - 1;
      if (id < 0 || (this.slots[slot * 2] === hash && this.keys[id] === key)) return id;
    }
  }

  /** The id of `key` (whose hash is `h`), given the next dense id if new. */
  add(key: string, h: number): number {
    const hash = h | 0;
    let slot = h & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const id = (this.slots[slot * 2 + 1] as number) - 1;
      if (id < 0) break;
      if (this.slots[slot * 2] === hash && this.keys[id] === key) return id;
    }
    const id = this.keys.length;
    this.keys.push(key);
    this.slots[slot * 2] = hash;
    this.slots[slot * 2 + 1] = id + 1;
    // At most half full keeps probes short.
    if ((id + 1) * 2 > this.mask + 1) this.rehash();
    return id;
  }

  private rehash(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(size * 2);
    this.mask = size - 1;
    for (let s = 0; s < old.length; s += 2) {
      const id1 = old[s + 1] as number;
      if (id1 === 0) continue;
      const hash = old[s] as number;
      let slot = hash & this.mask;
      while (this.slots[slot * 2 + 1] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot * 2] = hash;
      this.slots[slot * 2 + 1] = id1;
    }
  }
}
