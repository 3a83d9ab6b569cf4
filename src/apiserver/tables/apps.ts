// Table printers for apps/v1 Deployments and ReplicaSets.
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, ageOf, column, containerCells, formatLabelSelector, nameOf, num, rec, selectorString } from './format.ts';
import type { KindPrinter } from './format.ts';

export const deploymentPrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'Number of the pod with ready state'),
    column('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'Label selector for pods.', { priority: 1 }),
  ],
  cells(d, now) {
    const spec = rec(d.spec);
    const status = rec(d.status);
    const [names, images] = containerCells(rec(spec.template).spec);
    return [
      nameOf(d),
      `${num(status.readyReplicas)}/${num(spec.replicas)}`,
      num(status.updatedReplicas),
      num(status.availableReplicas),
      ageOf(d, now),
      names,
      images,
      // Deployments print the bare selector string (empty when it selects everything), not "<none>".
      selectorString(spec.selector),
    ];
  },
};

export const replicaSetPrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'Replicas is the number of desired replicas.', { type: 'integer' }),
    column('Current', 'Replicas is the most recently observed number of replicas.', { type: 'integer' }),
    column('Ready', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.', { type: 'integer' }),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'Selector is a label query over pods that should match the replica count.', { priority: 1 }),
  ],
  cells(rs, now) {
    const spec = rec(rs.spec);
    const status = rec(rs.status);
    const [names, images] = containerCells(rec(spec.template).spec);
    return [nameOf(rs), num(spec.replicas), num(status.replicas), num(status.readyReplicas), ageOf(rs, now), names, images, formatLabelSelector(spec.selector)];
  },
};
