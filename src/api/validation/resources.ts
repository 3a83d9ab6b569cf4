// Container resource requirements: resource names, quantities, requests not above limits.
import { field } from '../status.ts';
import { child, invalids, isSet, key, obj, required } from './causes.ts';
import type { Causes } from './causes.ts';
import { isQualifiedName } from './names.ts';
import { parseQuantity, QUANTITY_REGEX_MESSAGE } from './quantity.ts';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  ...STANDARD_CONTAINER_RESOURCES,
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'storage',
  'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);

const isHugePages = (name: string) => name.startsWith('hugepages-');
/** kubernetes.io/ and unprefixed names are native; anything else with a domain is an extended resource. */
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
/** Extended resources and hugepages cannot be overcommitted: request must equal limit. */
const isOvercommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

function validateResourceName(name: string, path: string): Causes {
  const out = invalids(path, name, isQualifiedName(name));
  if (out.length) return out;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name)) out.push(field.invalid(path, name, 'must be a standard resource type or fully qualified'));
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) out.push(field.invalid(path, name, 'must be a standard resource for containers'));
  }
  return out;
}

function validateQuantity(path: string, { name, value }: { name: string; value: unknown }): Causes {
  const q = parseQuantity(value);
  if (q === undefined) return [field.invalid(path, value, QUANTITY_REGEX_MESSAGE)];
  const out: Causes = [];
  if (q < 0) out.push(field.invalid(path, String(value), 'must be greater than or equal to 0'));
  if (!isNative(name) && !Number.isInteger(q)) out.push(field.invalid(path, value, 'must be an integer'));
  return out;
}

export function validateResourceRequirements(resources: unknown, path: string): Causes {
  const r = obj(resources);
  const limits = obj(r.limits);
  const requests = obj(r.requests);
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const out: Causes = [];
  let hasCpuOrMemory = false;
  let hasHugePages = false;
  for (const [name, value] of Object.entries(limits)) {
    out.push(...validateResourceName(name, key(limPath, name)));
    out.push(...validateQuantity(key(limPath, name), { name, value }));
    hasCpuOrMemory ||= name === 'cpu' || name === 'memory';
    hasHugePages ||= isHugePages(name);
  }
  for (const [name, value] of Object.entries(requests)) {
    out.push(...validateResourceName(name, key(reqPath, name)));
    out.push(...validateQuantity(key(reqPath, name), { name, value }));
    hasCpuOrMemory ||= name === 'cpu' || name === 'memory';
    hasHugePages ||= isHugePages(name);
    const request = parseQuantity(value);
    if (isSet(limits[name])) {
      const limit = parseQuantity(limits[name]);
      if (request === undefined || limit === undefined) continue;
      if (!isOvercommitAllowed(name) && request !== limit) {
        out.push(field.invalid(reqPath, String(value), `must be equal to ${name} limit of ${String(limits[name])}`));
      } else if (request > limit) {
        out.push(field.invalid(reqPath, String(value), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      out.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  if (hasHugePages && !hasCpuOrMemory) out.push(field.forbidden(path, 'HugePages require cpu or memory'));
  return out;
}
