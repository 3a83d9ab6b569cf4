// Allocation of the integers [0, size): specific or next free, with owners so a repair pass can rebuild it.

export class BitmapAllocator {
  readonly size: number;
  #owners = new Map<number, string>();
  #next: number;

  constructor(size: number) {
    this.size = size;
    this.#next = Math.floor(Math.random() * Math.max(size, 1));
  }

  get used(): number {
    return this.#owners.size;
  }

  ownerOf(offset: number): string | undefined {
    return this.#owners.get(offset);
  }

  /** Claims `offset` for `owner`; true if it was free or already the owner's. */
  claim(offset: number, owner: string): boolean {
    const cur = this.#owners.get(offset);
    if (cur !== undefined && cur !== owner) return false;
    this.#owners.set(offset, owner);
    return true;
  }

  /** Claims the next free offset (scanning from a moving cursor, skipping `reserved`), or undefined when full. */
  claimNext(owner: string, isReserved: (offset: number) => boolean = () => false): number | undefined {
    for (let i = 0; i < this.size; i++) {
      const o = (this.#next + i) % this.size;
      if (!this.#owners.has(o) && !isReserved(o)) {
        this.#owners.set(o, owner);
        this.#next = (o + 1) % this.size;
        return o;
      }
    }
    return undefined;
  }

  release(offset: number, owner?: string): void {
    if (owner === undefined || this.#owners.get(offset) === owner) this.#owners.delete(offset);
  }

  releaseOwner(owner: string): void {
    for (const [o, who] of this.#owners) if (who === owner) this.#owners.delete(o);
  }

  offsetsOf(owner: string): number[] {
    return [...this.#owners].filter(([, who]) => who === owner).map(([o]) => o);
  }
}
