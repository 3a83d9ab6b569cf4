// Admission: mutations and checks that run after validation and before a write (e.g. ClusterIP allocation).
import type { ResourceInfo } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE';
  resource: ResourceInfo;
  object: KubeObject;
  oldObject?: KubeObject;
  isDryRun: boolean;
}

/** What to do once the write that followed admission happened (commit) or did not (rollback). */
export interface AdmissionOutcome {
  rollback?(): void;
  commit?(): void;
}

export interface Admission {
  /** May mutate `object`; throws a StatusError to refuse. */
  admit(request: AdmissionRequest): Promise<AdmissionOutcome | undefined>;
  /** The object is gone from storage: release what it held. */
  released(event: { resource: ResourceInfo; object: KubeObject }): void;
}

export function chainAdmission(plugins: readonly Admission[]): Admission {
  return {
    async admit(request) {
      const outcomes: AdmissionOutcome[] = [];
      try {
        for (const p of plugins) {
          const o = await p.admit(request);
          if (o) outcomes.push(o);
        }
      } catch (e) {
        for (const o of outcomes.reverse()) o.rollback?.();
        throw e;
      }
      return {
        rollback: () => [...outcomes].reverse().forEach((o) => o.rollback?.()),
        commit: () => outcomes.forEach((o) => o.commit?.()),
      };
    },
    released(event) {
      for (const p of plugins) p.released(event);
    },
  };
}
