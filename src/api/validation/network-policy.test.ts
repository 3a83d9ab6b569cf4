import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { validateCreate } from './index.ts';

type Json = Record<string, unknown>;
const NS = { isNamespaced: true };
const summary = (causes: { field: string; reason: string }[]) => causes.map((c) => `${c.field} ${c.reason}`);

function policy(spec: Json): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-from-frontend', namespace: 'default' }, spec };
}

/** app: frontend may reach app: api on TCP 3000, and nothing else may. */
const FRONTEND_TO_API = policy({
  podSelector: { matchLabels: { app: 'api' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 3000 }] }],
});

const ingressFrom = (peer: Json, ports: Json[] = []) => policy({ podSelector: {}, ingress: [{ from: [peer], ports }] });

const CASES: { name: string; np: KubeObject; expect: string[] }[] = [
  { name: 'a peer with no selector and no ipBlock', np: ingressFrom({}), expect: ['spec.ingress[0].from[0] FieldValueRequired'] },
  { name: 'an ipBlock next to a podSelector', np: ingressFrom({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }), expect: ['spec.ingress[0].from[0] FieldValueForbidden'] },
  { name: 'an ipBlock without cidr', np: ingressFrom({ ipBlock: {} }), expect: ['spec.ingress[0].from[0].ipBlock.cidr FieldValueRequired'] },
  { name: 'an ipBlock cidr that is no CIDR', np: ingressFrom({ ipBlock: { cidr: '10.0.0.0/40' } }), expect: ['spec.ingress[0].from[0].ipBlock.cidr FieldValueInvalid'] },
  { name: 'an except outside the cidr', np: ingressFrom({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }), expect: ['spec.ingress[0].from[0].ipBlock.except[0] FieldValueInvalid'] },
  { name: 'an except as wide as the cidr', np: ingressFrom({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16'] } }), expect: ['spec.ingress[0].from[0].ipBlock.except[0] FieldValueInvalid'] },
  { name: 'an unknown port protocol', np: ingressFrom({ podSelector: {} }, [{ protocol: 'ICMP', port: 80 }]), expect: ['spec.ingress[0].ports[0].protocol FieldValueNotSupported'] },
  { name: 'port 0', np: ingressFrom({ podSelector: {} }, [{ protocol: 'TCP', port: 0 }]), expect: ['spec.ingress[0].ports[0].port FieldValueInvalid'] },
  { name: 'endPort below port', np: ingressFrom({ podSelector: {} }, [{ protocol: 'TCP', port: 8080, endPort: 8000 }]), expect: ['spec.ingress[0].ports[0].endPort FieldValueInvalid'] },
  { name: 'endPort with a named port', np: ingressFrom({ podSelector: {} }, [{ protocol: 'TCP', port: 'http', endPort: 8000 }]), expect: ['spec.ingress[0].ports[0].endPort FieldValueInvalid'] },
  { name: 'endPort without a port', np: ingressFrom({ podSelector: {} }, [{ protocol: 'TCP', endPort: 8000 }]), expect: ['spec.ingress[0].ports[0].endPort FieldValueInvalid'] },
  { name: 'an unknown policy type', np: policy({ podSelector: {}, policyTypes: ['Ingress', 'Sideways'] }), expect: ['spec.policyTypes[1] FieldValueNotSupported'] },
  { name: 'three policy types', np: policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }), expect: ['spec.policyTypes FieldValueInvalid'] },
  {
    name: 'a podSelector expression with a bad operator',
    np: policy({ podSelector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['api'] }] } }),
    expect: ['spec.podSelector.matchExpressions[0].operator FieldValueInvalid'],
  },
  {
    name: 'an egress namespaceSelector with a bad label value',
    np: policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'a b' } } }] }] }),
    expect: ['spec.egress[0].to[0].namespaceSelector.matchLabels FieldValueInvalid'],
  },
];

describe('NetworkPolicy validation', () => {
  it('accepts frontend-to-api on port 3000', () => assert.deepEqual(validateCreate('NetworkPolicy', FRONTEND_TO_API, NS), []));

  it('accepts a default deny, an ipBlock with except, and a port range', () => {
    assert.deepEqual(validateCreate('NetworkPolicy', policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }), NS), []);
    const np = policy({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'UDP', port: 30000, endPort: 32767 }] }] });
    assert.deepEqual(validateCreate('NetworkPolicy', np, NS), []);
  });

  for (const c of CASES) {
    it(`rejects ${c.name}`, () => assert.deepEqual(summary(validateCreate('NetworkPolicy', c.np, NS)), c.expect));
  }

  it('explains an endPort below port in upstream words', () => {
    const [cause] = validateCreate('NetworkPolicy', ingressFrom({ podSelector: {} }, [{ protocol: 'TCP', port: 8080, endPort: 8000 }]), NS);
    assert.equal(cause.message, 'Invalid value: 8000: must be greater than or equal to `port`');
  });
});
