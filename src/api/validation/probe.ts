// Probes and lifecycle hooks: exactly one handler each, with their ports and paths checked.
import { field } from '../status.ts';
import { arr, child, invalids, isObj, isSet, nonNegative, num, obj, required, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { isHTTPHeaderName, isValidPortName, isValidPortNum } from './names.ts';

/** An IntOrString port: a number in range, or an IANA service name. */
export function validatePortNumOrName(port: unknown, path: string): Causes {
  if (typeof port === 'string') return invalids(path, port, isValidPortName(port));
  const n = typeof port === 'number' ? port : 0;
  return invalids(path, n, isValidPortNum(n));
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

function validateHandler(handler: Obj, { kinds, path, gracePeriod }: { kinds: string[]; path: string; gracePeriod: number | undefined }): Causes {
  const out: Causes = [];
  let count = 0;
  for (const kind of kinds) {
    if (!isSet(handler[kind])) continue;
    const p = child(path, kind);
    if (count > 0) {
      out.push(field.forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const h = obj(handler[kind]);
    if (kind === 'exec' && !arr(h.command).length) out.push(required(child(p, 'command')));
    if (kind === 'httpGet') {
      // path defaults to "/" and scheme to HTTP, so neither can be missing here
      out.push(...validatePortNumOrName(h.port, child(p, 'port')));
      const scheme = str(h.scheme) || 'HTTP';
      if (scheme !== 'HTTP' && scheme !== 'HTTPS') out.push(field.notSupported(child(p, 'scheme'), scheme, ['HTTP', 'HTTPS']));
      for (const header of arr(h.httpHeaders)) {
        const name = str(obj(header).name);
        out.push(...invalids(child(p, 'httpHeaders'), name, isHTTPHeaderName(name)));
      }
    }
    if (kind === 'tcpSocket') out.push(...validatePortNumOrName(h.port, child(p, 'port')));
    if (kind === 'grpc') out.push(...validatePortNumOrName(num(h.port) ?? 0, child(p, 'port')));
    if (kind === 'sleep') {
      const seconds = num(h.seconds) ?? 0;
      if (gracePeriod !== undefined && (seconds <= 0 || seconds > gracePeriod)) {
        out.push(field.invalid(p, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`));
      }
    }
  }
  if (count === 0) out.push(required(path, 'must specify a handler type'));
  return out;
}

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

export function validateProbe(probe: unknown, { kind, path, gracePeriod }: { kind: ProbeKind; path: string; gracePeriod: number | undefined }): Causes {
  if (!isObj(probe)) return [];
  const out = validateHandler(probe, { kinds: PROBE_HANDLERS, path, gracePeriod });
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    out.push(...nonNegative(probe[f], child(path, f)));
  }
  const tgps = num(probe.terminationGracePeriodSeconds);
  if (tgps !== undefined && tgps <= 0) out.push(field.invalid(child(path, 'terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  const success = num(probe.successThreshold) ?? 1;
  if (kind !== 'readinessProbe' && success !== 1) out.push(field.invalid(child(path, 'successThreshold'), success, 'must be 1'));
  if (kind === 'readinessProbe' && isSet(probe.terminationGracePeriodSeconds)) {
    out.push(field.invalid(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return out;
}

export function validateLifecycle(lifecycle: unknown, { path, gracePeriod }: { path: string; gracePeriod: number | undefined }): Causes {
  const l = obj(lifecycle);
  const out: Causes = [];
  for (const hook of ['postStart', 'preStop']) {
    if (isObj(l[hook])) out.push(...validateHandler(l[hook] as Obj, { kinds: LIFECYCLE_HANDLERS, path: child(path, hook), gracePeriod }));
  }
  return out;
}
