// Label and field selection over listed objects, shared by list and watch.
import type { ResourceInfo } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import { badRequest } from '../api/status.ts';
import { matchesFields, matchesRequirements, parseFieldSelector, parseLabelSelector, SelectorParseError } from '../api/selectors.ts';
import { fieldsOf, supportedFieldLabels } from './strategy.ts';

export type ObjectFilter = (obj: KubeObject) => boolean;

export function buildFilter(r: ResourceInfo, query: URLSearchParams): ObjectFilter {
  let labelReqs;
  let fieldReqs;
  try {
    labelReqs = parseLabelSelector(query.get('labelSelector') ?? '');
    fieldReqs = parseFieldSelector(query.get('fieldSelector') ?? '');
  } catch (e) {
    if (e instanceof SelectorParseError) throw badRequest(e.message);
    throw e;
  }
  const supported = supportedFieldLabels(r.kind);
  for (const f of fieldReqs) {
    if (!supported.includes(f.field)) throw badRequest(`field label not supported: ${f.field}`);
  }
  if (!labelReqs.length && !fieldReqs.length) return () => true;
  return (obj) => matchesRequirements(labelReqs, obj.metadata.labels) && (!fieldReqs.length || matchesFields(fieldReqs, fieldsOf(r.kind, obj)));
}
