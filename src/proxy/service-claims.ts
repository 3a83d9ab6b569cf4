// Which Service holds which key of the table's shared sets and maps, by each set's `keyPolicy`:
// an `exclusive` key belongs to the first Service that claims it (a later claimant loses it and retries
// at each sync); a `shared` key is counted, and stays in the table while any Service holds it.
import type { Element, Ruleset } from '../netfilter/model.ts';
import { renderElement } from '../netfilter/render.ts';
import { keyPolicy } from './render-base.ts';

/** Shared-set elements to delete (`prev`) and to add (`next`), set name → elements. */
export interface SharedChanges {
  prev: Map<string, Element[]>;
  next: Map<string, Element[]>;
}

export class ServiceClaims {
  /** `set key` → the Service holding an exclusive key. */
  #holder = new Map<string, string>();
  /** Service → its exclusive `set key`s (so releasing one Service does not walk every claim). */
  #held = new Map<string, string[]>();
  readonly losers = new Set<string>();
  /** `set key` → how many times parts hold a shared key, and the element. */
  #shared = new Map<string, { set: string; element: Element; count: number }>();
  /** Shared keys touched since the last `takeSharedChanges`, and whether each was in the table before. */
  #touched = new Map<string, { set: string; key: Element['key']; wasThere: boolean }>();

  clear(): void {
    this.#holder.clear();
    this.#held.clear();
    this.losers.clear();
    this.#shared.clear();
    this.#touched.clear();
  }

  /**
   * Drops from `part` the exclusive keys another Service holds (logging it), records the rest as
   * Service `key`'s, and counts its shared keys in. Returns `part`.
   */
  claim(key: string, part: Ruleset, log?: (message: string) => void): Ruleset {
    let isLoser = false;
    const held = this.#held.get(key) ?? [];
    for (const [set, els] of part.elements) {
      const policy = keyPolicy(set);
      if (policy === 'shared') this.#count(set, els, 1);
      if (policy !== 'exclusive') continue;
      const kept = els.filter((e) => {
        const id = `${set} ${renderElement({ key: e.key })}`;
        const holder = this.#holder.get(id);
        if (holder !== undefined && holder !== key) {
          isLoser = true;
          return false;
        }
        if (holder === undefined) held.push(id);
        this.#holder.set(id, key);
        return true;
      });
      if (kept.length !== els.length) {
        log?.(`proxy: ${key} claims a service address another Service already uses; ignored`);
        part.elements.set(set, kept);
      }
    }
    this.#held.set(key, held);
    if (isLoser) this.losers.add(key);
    else this.losers.delete(key);
    return part;
  }

  /** Gives up Service `key`'s exclusive keys, and counts out the shared keys of its old part. */
  release(key: string, old: Ruleset | undefined): void {
    for (const id of this.#held.get(key) ?? []) if (this.#holder.get(id) === key) this.#holder.delete(id);
    this.#held.delete(key);
    for (const [set, els] of old?.elements ?? []) if (keyPolicy(set) === 'shared') this.#count(set, els, -1);
  }

  /** Every shared key held now, by set (for a full sync). */
  shared(): Map<string, Element[]> {
    const out = new Map<string, Element[]>();
    for (const { set, element } of this.#shared.values()) push(out, set, element);
    this.#touched.clear();
    return out;
  }

  /** The shared keys that appeared or went since the last call (for a partial sync). */
  takeSharedChanges(): SharedChanges {
    const changes: SharedChanges = { prev: new Map(), next: new Map() };
    for (const [id, t] of this.#touched) {
      if (t.wasThere) push(changes.prev, t.set, { key: t.key });
      if (this.#shared.has(id)) push(changes.next, t.set, { key: t.key });
    }
    this.#touched.clear();
    return changes;
  }

  #count(set: string, els: readonly Element[], delta: 1 | -1): void {
    for (const e of els) {
      const id = `${set} ${renderElement({ key: e.key })}`;
      const had = this.#shared.get(id);
      if (!this.#touched.has(id)) this.#touched.set(id, { set, key: e.key, wasThere: had !== undefined });
      const count = (had?.count ?? 0) + delta;
      if (count > 0) this.#shared.set(id, { set, element: had?.element ?? { key: e.key }, count });
      else this.#shared.delete(id);
    }
  }
}

function push(to: Map<string, Element[]>, set: string, e: Element): void {
  const list = to.get(set);
  if (list) list.push(e);
  else to.set(set, [e]);
}
