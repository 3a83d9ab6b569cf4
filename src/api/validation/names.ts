// String formats kube-apiserver checks (apimachinery util/validation), each returning upstream's messages; [] means valid.

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const WILDCARD_SUBDOMAIN_FMT = `\\*\\.${DNS1123_SUBDOMAIN_FMT}`;
const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const ENV_VAR_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const PERCENT_FMT = '[0-9]+%';
const HTTP_HEADER_FMT = '[-A-Za-z0-9]+';
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

const anchored = (fmt: string) => new RegExp(`^(?:${fmt})$`);
const DNS1123_LABEL_RE = anchored(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN_RE = anchored(DNS1123_SUBDOMAIN_FMT);
const DNS1035_LABEL_RE = anchored(DNS1035_LABEL_FMT);
const WILDCARD_SUBDOMAIN_RE = anchored(WILDCARD_SUBDOMAIN_FMT);
const LABEL_KEY_RE = anchored(LABEL_KEY_FMT);
const LABEL_VALUE_RE = anchored(LABEL_VALUE_FMT);
const CONFIG_KEY_RE = anchored(CONFIG_KEY_FMT);
const ENV_VAR_RE = anchored(ENV_VAR_FMT);
const PERCENT_RE = anchored(PERCENT_FMT);
const HTTP_HEADER_RE = anchored(HTTP_HEADER_FMT);
const HTTP_PATH_RE = anchored(HTTP_PATH_FMT);

/** Upstream's RegexError, including its quirk of a double space before "or" when there are several examples. */
export function regexError(msg: string, { fmt, examples = [] }: { fmt: string; examples?: string[] }): string {
  if (!examples.length) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

export const maxLenError = (n: number) => `must be no more than ${n} characters`;
export const inclusiveRangeError = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`;
export const EMPTY_ERROR = 'must be non-empty';

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!DNS1123_LABEL_RE.test(value)) {
    if (DNS1123_SUBDOMAIN_RE.test(value)) errs.push('must not contain dots');
    else errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", { fmt: DNS1123_LABEL_FMT, examples: ['my-name', '123-abc'] }));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", { fmt: DNS1123_SUBDOMAIN_FMT, examples: ['example.com'] }));
  }
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!DNS1035_LABEL_RE.test(value)) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", { fmt: DNS1035_LABEL_FMT, examples: ['my-name', 'abc-123'] }));
  }
  return errs;
}

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!WILDCARD_SUBDOMAIN_RE.test(value)) {
    errs.push(regexError("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character", { fmt: WILDCARD_SUBDOMAIN_FMT, examples: ['*.example.com'] }));
  }
  return errs;
}

/** A domain with at least two labels, trailing dot allowed (EndpointSlice FQDN addresses). Returns [value reported, message]. */
export function isFullyQualifiedDomainName(name: string): { value: string; message: string } | undefined {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const sub = isDNS1123Subdomain(trimmed);
  if (sub.length) return { value: trimmed, message: sub.join(',') };
  if (trimmed.split('.').length < 2) return { value: trimmed, message: 'should be a domain with at least two segments separated by dots' };
  for (const label of trimmed.split('.')) {
    const errs = isDNS1123Label(label);
    if (errs.length) return { value: label, message: errs.join(',') };
  }
  return undefined;
}

const LABEL_KEY_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** A label key, annotation key, finalizer or other "qualified name": optional DNS-subdomain prefix, '/', and a name. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (!prefix.length) errs.push(`prefix part ${EMPTY_ERROR}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a valid label key ${regexError(LABEL_KEY_ERR, { fmt: LABEL_KEY_FMT, examples: ['MyName', 'my.name', '123-abc'] })} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (!name.length) errs.push(`name part ${EMPTY_ERROR}`);
  else if (name.length > DNS1123_LABEL_MAX) errs.push(`name part ${maxLenError(DNS1123_LABEL_MAX)}`);
  if (!LABEL_KEY_RE.test(name)) errs.push(`name part ${regexError(LABEL_KEY_ERR, { fmt: LABEL_KEY_FMT, examples: ['MyName', 'my.name', '123-abc'] })}`);
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", { fmt: LABEL_VALUE_FMT, examples: ['MyValue', 'my_value', '12345'] }));
  }
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** An IANA_SVC_NAME: 1-15 of [-a-z0-9], at least one letter, no leading/trailing/double hyphen. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

function chDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!CONFIG_KEY_RE.test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", { fmt: CONFIG_KEY_FMT, examples: ['key.name', 'KEY_NAME', 'key-name'] }));
  }
  return [...errs, ...chDirPrefix(value)];
}

export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!ENV_VAR_RE.test(value)) {
    errs.push(regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit", { fmt: ENV_VAR_FMT, examples: ['my.env-name', 'MY_ENV.NAME', 'MyEnvName1'] }));
  }
  return [...errs, ...chDirPrefix(value)];
}


export function isValidPercent(value: string): string[] {
  if (PERCENT_RE.test(value)) return [];
  return [regexError("a valid percent string must be a numeric string followed by an ending '%'", { fmt: PERCENT_FMT, examples: ['1%', '93%'] })];
}

export function isHTTPHeaderName(value: string): string[] {
  if (HTTP_HEADER_RE.test(value)) return [];
  return [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", { fmt: HTTP_HEADER_FMT, examples: ['X-Header-Name'] })];
}

/** "acme.io/foo": a DNS subdomain, '/', then HTTP path characters. Returns [value reported, message] pairs. */
export function isDomainPrefixedPath(value: string): { value: string; message: string }[] {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return [{ value, message: 'must be a domain-prefixed path (such as "acme.io/foo")' }];
  const host = value.slice(0, slash);
  const path = value.slice(slash + 1);
  const out = isDNS1123Subdomain(host).map((message) => ({ value: host, message }));
  if (!HTTP_PATH_RE.test(path)) out.push({ value: path, message: regexError('Invalid path', { fmt: HTTP_PATH_FMT }) });
  return out;
}

/** Names that become one segment of a URL path: the rule for any object name, and for unknown kinds the only one. */
export function isValidPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

export type NameFn = (name: string, isPrefix: boolean) => string[];

/** generateName prefixes may end in '-'; upstream checks them with the dash masked. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
}

export const nameIsDNSSubdomain: NameFn = (name, isPrefix) => isDNS1123Subdomain(isPrefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameFn = (name, isPrefix) => isDNS1123Label(isPrefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameFn = (name, isPrefix) => isDNS1035Label(isPrefix ? maskTrailingDash(name) : name);
export const nameIsPathSegment: NameFn = (name, isPrefix) => (isPrefix ? ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`) : isValidPathSegmentName(name));
