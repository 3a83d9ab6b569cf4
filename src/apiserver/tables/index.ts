// buildTable: the meta.k8s.io/v1 Table kube-apiserver returns when kubectl asks for `as=Table`.
// Cells follow upstream's printers; rows carry the object as PartialObjectMetadata, in full, or not at all.
import type { ResourceInfo } from '../../api/resources.ts';
import { groupVersion } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { deploymentPrinter, replicaSetPrinter } from './apps.ts';
import {
  configMapPrinter,
  endpointsPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from './core.ts';
import { AGE_COLUMN, NAME_COLUMN, ageOf, nameOf } from './format.ts';
import type { ColumnDefinition, KindPrinter } from './format.ts';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, leasePrinter, networkPolicyPrinter } from './networking.ts';
import { podPrinter } from './pod.ts';

export type { ColumnDefinition, KindPrinter } from './format.ts';
export { humanDuration } from './format.ts';

export interface TableOptions {
  now: Date;
  includeObject: 'None' | 'Metadata' | 'Object';
  resourceVersion?: string;
  continueToken?: string;
}

const PRINTERS: Record<string, KindPrinter> = {
  Namespace: namespacePrinter,
  Node: nodePrinter,
  Pod: podPrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  Secret: secretPrinter,
  ConfigMap: configMapPrinter,
  Event: eventPrinter,
  ServiceAccount: serviceAccountPrinter,
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  EndpointSlice: endpointSlicePrinter,
  Ingress: ingressPrinter,
  IngressClass: ingressClassPrinter,
  NetworkPolicy: networkPolicyPrinter,
  Lease: leasePrinter,
};

const FALLBACK_PRINTER: KindPrinter = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  cells: (obj, now) => [nameOf(obj), ageOf(obj, now)],
};

export function printerFor(kind: string): KindPrinter {
  return PRINTERS[kind] ?? FALLBACK_PRINTER;
}

function rowObject(r: ResourceInfo, obj: KubeObject, includeObject: TableOptions['includeObject']): unknown {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') {
    return obj.kind && obj.apiVersion ? obj : { apiVersion: groupVersion(r), kind: r.kind, ...obj };
  }
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function buildTable(r: ResourceInfo, objects: KubeObject[], options: TableOptions): Record<string, unknown> {
  const printer = printerFor(r.kind);
  const rows = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: printer.cells(obj, options.now) };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    const object = rowObject(r, obj, options.includeObject);
    if (object !== undefined) row.object = object;
    return row;
  });
  const metadata: Record<string, unknown> = {};
  // A single object's table carries that object's resourceVersion, as upstream's table generator does.
  const resourceVersion = options.resourceVersion ?? (objects.length === 1 ? objects[0].metadata.resourceVersion : undefined);
  if (resourceVersion) metadata.resourceVersion = resourceVersion;
  if (options.continueToken) metadata.continue = options.continueToken;
  const columnDefinitions: ColumnDefinition[] = printer.columns.map((c) => ({ ...c }));
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions, rows };
}
