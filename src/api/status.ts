// The one error shape on the API path: a metav1.Status, mapped to HTTP in one place (the server's responder).

export type CauseType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

export interface StatusCause {
  reason: CauseType | string;
  message: string;
  field: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StatusError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

export function isStatusError(e: unknown, reason?: string): e is StatusError {
  return e instanceof StatusError && (reason === undefined || e.reason === reason);
}

/** `resource` is the qualified resource ("services", "deployments.apps"). */
export function notFound(resource: string, name: string): StatusError {
  const [plural, ...group] = resource.split('.');
  return new StatusError(404, 'NotFound', `${resource} "${name}" not found`, { name, group: group.join('.') || undefined, kind: plural });
}

export function alreadyExists(resource: string, name: string): StatusError {
  const [plural, ...group] = resource.split('.');
  return new StatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, group: group.join('.') || undefined, kind: plural });
}

export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(resource: string, name: string, why: string = OPTIMISTIC_LOCK_MESSAGE): StatusError {
  const [plural, ...group] = resource.split('.');
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, group: group.join('.') || undefined, kind: plural });
}

/** `qualifiedKind` is "Service" or "Deployment.apps". */
export function invalid(qualifiedKind: string, name: string, causes: StatusCause[]): StatusError {
  const [kind, ...group] = qualifiedKind.split('.');
  const summary = causes.length === 1 ? causes[0].field ? `${causes[0].field}: ${causes[0].message}` : causes[0].message : `[${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ')}]`;
  return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, { name, group: group.join('.') || undefined, kind, causes });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${JSON.stringify(contentType)})`);
}

export function notAcceptable(message: string): StatusError {
  return new StatusError(406, 'NotAcceptable', message);
}

export function methodNotAllowed(message: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message);
}

export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(resource: string, name: string, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `${resource} "${name}" is forbidden: ${why}`, { name, kind: resource });
}

/** The refusal to create in a namespace being deleted (see `forbidden`): controllers stop creating there. */
export function isNamespaceTerminating(e: unknown): boolean {
  return isStatusError(e, 'Forbidden') && /being terminated/.test(e.message);
}

export function internalError(message: string, cause?: unknown): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: 'UnexpectedServerResponse', message, field: '' }] }, { cause });
}

export function serviceUnavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message);
}

export function successStatus(details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) s.details = details;
  return s;
}

/** Builders for validation causes; field paths are upstream's ("spec.ports[0].port"). */
export const field = {
  required: (path: string, message = 'Required value'): StatusCause => ({ reason: 'FieldValueRequired', message, field: path }),
  invalid: (path: string, value: unknown, message: string): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${formatValue(value)}: ${message}`, field: path }),
  notSupported: (path: string, value: unknown, supported: readonly string[]): StatusCause => ({
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
    field: path,
  }),
  duplicate: (path: string, value: unknown): StatusCause => ({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${formatValue(value)}`, field: path }),
  forbidden: (path: string, message: string): StatusCause => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${message}`, field: path }),
  tooLong: (path: string, max: number): StatusCause => ({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field: path }),
  typeInvalid: (path: string, value: unknown, message: string): StatusCause => ({ reason: 'FieldValueTypeInvalid', message: `Invalid value: ${formatValue(value)}: ${message}`, field: path }),
};

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
}
