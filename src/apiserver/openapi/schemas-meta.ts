// Schemas shared by every group: object and list metadata, selectors, conditions, Status and the scalar wrappers.
import { atomicList, bool, gvk, INT_OR_STRING, int32, int64, META, mergeList, obj, QUANTITY, ref, str, strEnum, strList, strMap, time } from './dsl.ts';
import type { Schema } from './dsl.ts';

export function metaSchemas(): Record<string, Schema> {
  return {
    [`${META}.ObjectMeta`]: obj('Metadata that every persisted object has, whether set by its author or by the system.', {
      name: str('Unique name of the object within its namespace (or cluster, for cluster-scoped kinds). Cannot be changed.'),
      generateName: str('Prefix the server uses to invent a unique name when name is empty.'),
      namespace: str('Namespace the object lives in. Empty for cluster-scoped kinds.'),
      selfLink: str('Deprecated and never set; kept for compatibility.'),
      uid: str('Identifier the server assigns on creation, unique across time and space. Read-only.'),
      resourceVersion: str('Opaque version of the object, changed on every write. Used for optimistic concurrency and watches.'),
      generation: int64('Sequence number of the desired state, bumped when the spec changes. Read-only.'),
      creationTimestamp: time('When the server created the object, in RFC 3339 form. Read-only.'),
      deletionTimestamp: time('When the object will be removed, set once a graceful deletion has been requested. Read-only.'),
      deletionGracePeriodSeconds: int64('Seconds the object has to terminate once deletionTimestamp is set. Read-only.'),
      labels: strMap('Key/value pairs used to organise and select objects, for example by Service and Deployment selectors.'),
      annotations: strMap('Key/value pairs for tools and people; not used for selection and kept verbatim.'),
      ownerReferences: mergeList(`${META}.OwnerReference`, 'Objects this object depends on. When every owner is gone, the garbage collector deletes it.', 'uid'),
      finalizers: strList('Names of controllers that must finish cleanup before the object is removed.', 'set'),
      managedFields: atomicList(`${META}.ManagedFieldsEntry`, 'Which manager owns which fields, recorded for server-side apply. Rarely edited by hand.'),
    }),
    [`${META}.OwnerReference`]: obj(
      'Points at an object that owns this one, in the same namespace.',
      {
        apiVersion: str('API version of the owner.'),
        kind: str('Kind of the owner.'),
        name: str('Name of the owner.'),
        uid: str('UID of the owner.'),
        controller: bool('True when the owner is the managing controller. At most one owner may set it.'),
        blockOwnerDeletion: bool('When true, foreground deletion of the owner waits for this object to be removed.'),
      },
      ['apiVersion', 'kind', 'name', 'uid'],
      { isAtomic: true },
    ),
    [`${META}.ManagedFieldsEntry`]: obj('The set of fields one manager owns, as recorded by server-side apply.', {
      manager: str('Name of the manager, such as kubectl-client-side-apply.'),
      operation: str('Operation that produced this entry: Apply or Update.'),
      apiVersion: str('API version the field set is expressed in.'),
      time: time('When the manager last changed one of these fields.'),
      fieldsType: str('Format of fieldsV1; always FieldsV1.'),
      fieldsV1: ref(`${META}.FieldsV1`, 'The owned fields, as a trie of field names.'),
      subresource: str('Subresource the fields were written through, such as status.'),
    }),
    [`${META}.FieldsV1`]: { description: 'A set of field paths encoded as a JSON trie.', type: 'object' },
    [`${META}.LabelSelector`]: obj(
      'Selects objects by label. matchLabels and matchExpressions are ANDed; an empty selector matches everything.',
      {
        matchLabels: strMap('Labels an object must carry with exactly these values.'),
        matchExpressions: atomicList(`${META}.LabelSelectorRequirement`, 'Set-based requirements the labels must satisfy.'),
      },
      [],
      { isAtomic: true },
    ),
    [`${META}.LabelSelectorRequirement`]: obj(
      'One set-based requirement on a label key.',
      {
        key: str('Label key the requirement applies to.'),
        operator: strEnum('How the key relates to the values.', ['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: strList('Values for In and NotIn; must be empty for Exists and DoesNotExist.'),
      },
      ['key', 'operator'],
    ),
    [`${META}.Condition`]: obj(
      'One aspect of the current state of an object.',
      {
        type: str('Kind of condition, in CamelCase, such as Ready.'),
        status: strEnum('Whether the condition holds.', ['True', 'False', 'Unknown']),
        observedGeneration: int64('metadata.generation the condition was computed from.'),
        lastTransitionTime: time('When status last changed.'),
        reason: str('Machine-readable CamelCase reason for the last transition.'),
        message: str('Human-readable details about the last transition.'),
      },
      ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
    ),
    [`${META}.ListMeta`]: obj('Metadata of a list response.', {
      selfLink: str('Deprecated and never set; kept for compatibility.'),
      resourceVersion: str('Version of the collection at the time of the list; watch from here to see later changes.'),
      continue: str('Token to fetch the next page when the list was limited.'),
      remainingItemCount: int64('Estimated number of items not yet returned when the list was limited.'),
    }),
    [`${META}.Status`]: {
      ...obj('Result of an operation that returns no object, and the body of every error.', {
        apiVersion: str('The versioned schema of this representation of the object.'),
        kind: str('Always Status.'),
        metadata: ref(`${META}.ListMeta`, 'Standard list metadata.'),
        status: str('Success or Failure.'),
        message: str('Human-readable description of the outcome.'),
        reason: str('Machine-readable reason for a failure, such as NotFound or AlreadyExists.'),
        details: ref(`${META}.StatusDetails`, 'Extra data about the object the status is about.', { isPointer: true }),
        code: int32('Suggested HTTP status code.'),
      }),
      'x-kubernetes-group-version-kind': [gvk('', 'v1', 'Status')],
    },
    [`${META}.StatusDetails`]: obj('Details about the object an error or result refers to.', {
      name: str('Name of the object.'),
      group: str('API group of the object.'),
      kind: str('Kind or resource of the object.'),
      uid: str('UID of the object.'),
      causes: atomicList(`${META}.StatusCause`, 'Individual problems, one per invalid field.'),
      retryAfterSeconds: int32('Seconds to wait before retrying.'),
    }),
    [`${META}.StatusCause`]: obj('One reason an operation failed.', {
      reason: str('Machine-readable cause, such as FieldValueInvalid.'),
      message: str('Human-readable description of the cause.'),
      field: str('Path of the offending field, such as spec.ports[0].port.'),
    }),
    [`${META}.DeleteOptions`]: obj('Options for a delete request.', {
      apiVersion: str('The versioned schema of this representation of the object.'),
      kind: str('Always DeleteOptions.'),
      gracePeriodSeconds: int64('Seconds the object may take to terminate; 0 deletes immediately.'),
      preconditions: ref(`${META}.Preconditions`, 'Conditions the object must meet for the delete to proceed.', { isPointer: true }),
      orphanDependents: bool('Deprecated: use propagationPolicy Orphan.'),
      propagationPolicy: strEnum('Whether and how dependents are garbage collected.', ['Orphan', 'Background', 'Foreground']),
      dryRun: strList('When set to All, the request is validated but not persisted.'),
    }),
    [`${META}.Preconditions`]: obj('Conditions checked before an update or delete.', {
      uid: str('The object must have this UID.'),
      resourceVersion: str('The object must be at this resourceVersion.'),
    }),
    [`${META}.Patch`]: { description: 'Body of a PATCH request: JSON patch, merge patch, strategic merge patch or apply configuration.', type: 'object' },
    [`${META}.Time`]: { description: 'A timestamp in RFC 3339 form with second precision, such as 2024-05-01T12:00:00Z.', type: 'string', format: 'date-time' },
    [`${META}.MicroTime`]: { description: 'A timestamp in RFC 3339 form with microsecond precision.', type: 'string', format: 'date-time' },
    [INT_OR_STRING]: {
      description: 'Either an integer or a string, such as a port number or a port name, or a count or a percentage.',
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      'x-kubernetes-int-or-string': true,
    },
    [QUANTITY]: {
      description: 'A fixed-point amount such as 100m, 0.5, 128Mi or 2Gi, written as a string (or a plain number).',
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      'x-kubernetes-int-or-string': true,
    },
  };
}
