// A seeded generator, so `--seed S` rebuilds the same world (names, uuids, placements) every time.

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, bound). */
  below(bound: number): number;
  uuid(): string;
  /** Lowercase hex string of `bytes` random bytes. */
  hex(bytes: number): string;
}

export function createRandom(seed: number): SeededRandom {
  // mulberry32: tiny, fast and good enough for test data; cryptographic quality is not needed.
  let state = seed >>> 0;
  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  function hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i += 1)
      out += Math.floor(next() * 256)
        .toString(16)
        .padStart(2, '0');
    return out;
  }
  return {
    next,
    below: (bound) => Math.floor(next() * bound),
    hex,
    uuid: () => {
      const h = hex(16);
      // RFC 4122 version 4 layout, as Nova's uuids have.
      const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}
