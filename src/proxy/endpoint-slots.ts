// Where each service chain keeps its endpoints: a run of slots in one of the shared `endpoints-<n>` maps
// (slot → `addr . port`). A chain balancing over N endpoints owns slots O…O+C-1 (C, its capacity, the
// power of two ≥ N) and DNATs with `numgen inc mod N offset O map @endpoints-<n>`.
//
// Why shared maps in groups (README, "Costs"): the kernel finds a set by walking the table's list of
// sets, so one map per Service makes a 10,000-Service load quadratic; and binding a map to a chain, or
// adding an element to a map, walks the map's elements or its chains, so one map for all Services is
// quadratic too. Maps of about MAP_SLOTS slots keep both walks short.

/** Slots a map is filled to before the next one is started. */
export const MAP_SLOTS = 256;

export const SLOT_MAP_PREFIX = 'endpoints-';

export interface SlotRun {
  map: string;
  offset: number;
  capacity: number;
}

const capacityFor = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(2, n)));

/** The slot allocator. Not pure: the proxier keeps one across partial syncs and starts a new one for a full sync. */
export class EndpointSlots {
  #runs = new Map<string, SlotRun>();
  /** capacity → runs given back, reused lowest first. */
  #free = new Map<number, SlotRun[]>();
  /** map name → next unused slot. */
  #fill = new Map<string, number>();
  /** The map being filled. */
  #last: string | undefined;
  #newMaps: string[] = [];

  /** A run for `owner` (a chain) balancing over `n` endpoints: its current one while `n` fits. */
  place(owner: string, n: number): SlotRun {
    const held = this.#runs.get(owner);
    if (held && n <= held.capacity) return held;
    if (held) this.release(owner);
    const run = this.#allocate(capacityFor(n));
    this.#runs.set(owner, run);
    return run;
  }

  release(owner: string): void {
    const run = this.#runs.get(owner);
    if (!run) return;
    this.#runs.delete(owner);
    const list = this.#free.get(run.capacity) ?? [];
    list.push(run);
    list.sort((a, b) => a.map.localeCompare(b.map, 'en', { numeric: true }) || a.offset - b.offset);
    this.#free.set(run.capacity, list);
  }

  /** Every map any run was ever placed in, in creation order. */
  get maps(): string[] {
    return [...this.#fill.keys()];
  }

  /** Maps created since the last call (the next transaction must declare them). */
  takeNewMaps(): string[] {
    return this.#newMaps.splice(0);
  }

  #allocate(capacity: number): SlotRun {
    const reused = this.#free.get(capacity)?.shift();
    if (reused) return reused;
    const last = this.#last;
    if (last !== undefined) {
      const offset = Math.ceil(this.#fill.get(last)! / capacity) * capacity;
      if (offset + capacity <= Math.max(MAP_SLOTS, capacity)) {
        this.#fill.set(last, offset + capacity);
        return { map: last, offset, capacity };
      }
    }
    const map = `${SLOT_MAP_PREFIX}${this.#fill.size}`;
    this.#fill.set(map, capacity);
    this.#last = map;
    this.#newMaps.push(map);
    return { map, offset: 0, capacity };
  }
}
