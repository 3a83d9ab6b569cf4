// The thin handler: read the query, answer from the cluster cache or the forward cache, else ask upstream.
// It never throws: malformed input gets FORMERR (or is dropped), internal failures SERVFAIL.
import { performance } from 'node:perf_hooks';
import { AnswerCache } from './answer-cache.ts';
import type { ClusterCache } from './cluster-cache.ts';
import { lookupCluster, lookupReverse } from './cluster-lookup.ts';
import type { Answer, LookupContext, PodMode } from './cluster-lookup.ts';
import { CLASS_ANY, CLASS_IN, CLASSIC_UDP_SIZE, FLAG, HEADER_SIZE, MAX_UDP_SIZE, OPCODE_QUERY, RCODE, RR_TYPE, rcodeName, typeName } from './dns-constants.ts';
import { ForwardCache, entryFromResponse, serveEntry } from './forward-cache.ts';
import { ForwardError } from './forwarder.ts';
import type { Forwarder } from './forwarder.ts';
import { ipFromReverseLabels, isReverseName } from './ip-address.ts';
import { decodeMessage } from './message-decoder.ts';
import { DnsFormatError, scanMessage } from './message-reader.ts';
import type { ScannedMessage } from './message-reader.ts';
import type { DnsMetrics } from './metrics.ts';
import { buildResponse, fitForwarded, formatError } from './response.ts';
import type { ResponseBody, ResponseRequest } from './response.ts';
import { labelsBelow } from './request.ts';
import { serversFor } from './upstream-config.ts';
import type { UpstreamConfig } from './upstream-config.ts';

export interface QueryContext {
  proto: 'udp' | 'tcp';
  remote?: { address: string; port: number };
}

export interface HandlerOptions {
  cache: ClusterCache;
  isSynced: () => boolean;
  zone?: string;
  ttl?: number;
  podMode?: PodMode;
  forwarder: Pick<Forwarder, 'resolve'>;
  forwardCache: ForwardCache;
  upstreams: () => UpstreamConfig;
  metrics: DnsMetrics;
  /** Receives one line per query while the query log is on. */
  log?: (line: string) => void;
}

type Reply = Buffer | null;

const KNOWN_TYPES = new Set([1, 2, 5, 6, 12, 15, 16, 28, 33, 65, 255]);

export class DnsHandler {
  #o: HandlerOptions;
  #lookup: LookupContext;
  #answers = new AnswerCache();
  isQueryLogEnabled = false;

  constructor(options: HandlerOptions) {
    this.#o = options;
    const zone = (options.zone ?? 'cluster.local').toLowerCase().replace(/\.$/, '');
    this.#lookup = { cache: options.cache, zone, zoneLabels: zone.split('.'), ttl: options.ttl ?? 5, podMode: options.podMode ?? 'verified' };
  }

  handle(query: Buffer, ctx: QueryContext): Reply | Promise<Reply> {
    const started = performance.now();
    let scan: ScannedMessage;
    try {
      scan = scanMessage(query);
    } catch (e) {
      const reply = e instanceof DnsFormatError && e.rcode !== null ? formatError(query) : null;
      return this.#done(started, ctx, undefined, reply, 'error');
    }
    if (scan.flags & FLAG.QR) return this.#done(started, ctx, scan, null, 'error'); // never answer an answer
    const q = scan.questions[0];
    const req: ResponseRequest = {
      id: scan.id,
      queryFlags: scan.flags,
      question: scan.questions.length === 1 ? q : undefined,
      questionWire: scan.questions.length === 1 ? uncompressedName(query, q.nameEnd) : undefined,
      edns: scan.edns,
      limit: ctx.proto === 'tcp' ? 65_535 : Math.max(CLASSIC_UDP_SIZE, Math.min(scan.edns?.udpSize ?? CLASSIC_UDP_SIZE, MAX_UDP_SIZE)),
    };
    const type = q && KNOWN_TYPES.has(q.type) ? typeName(q.type) : 'other';
    this.#o.metrics.requests.child(ctx.proto + type, () => ({ proto: ctx.proto, type })).inc();
    try {
      const early = this.#refuse(scan);
      if (early !== undefined) return this.#done(started, ctx, scan, buildResponse(req, { rcode: early }), 'error');
      const rel = labelsBelow(q.labels, this.#lookup.zoneLabels);
      if (rel) {
        if (q.class !== CLASS_IN && q.class !== CLASS_ANY) return this.#done(started, ctx, scan, buildResponse(req, { rcode: RCODE.REFUSED }), 'cluster');
        if (!this.#o.isSynced()) return this.#done(started, ctx, scan, buildResponse(req, { rcode: RCODE.SERVFAIL }), 'cluster');
        // Same name (any case), type, size limit and EDNS: the same bytes, as long as the cluster has not changed.
        const key = `${q.type}/${q.class}/${req.limit}/${req.edns ? 1 : 0}/${q.name}`;
        const generation = this.#lookup.cache.generation;
        const cached = this.#answers.get(key, generation, req);
        if (cached) {
          this.#o.metrics.cacheHits.child('answer', () => ({ cache: 'answer' })).inc();
          return this.#done(started, ctx, scan, cached, 'cluster');
        }
        this.#o.metrics.cacheMisses.child('answer', () => ({ cache: 'answer' })).inc();
        const answer = lookupCluster(q.name, rel, q.type, this.#lookup);
        if (answer.chase) return this.#chase(started, ctx, scan, req, answer);
        const reply = buildResponse(req, { ...answer, isAuthoritative: true });
        if (req.questionWire) this.#answers.set(key, generation, reply);
        return this.#done(started, ctx, scan, reply, 'cluster');
      }
      if (isReverseName(q.labels)) {
        const ip = ipFromReverseLabels(q.labels);
        if (ip) {
          if (!this.#o.isSynced()) return this.#done(started, ctx, scan, buildResponse(req, { rcode: RCODE.SERVFAIL }), 'cluster');
          const answer = lookupReverse(q.name, ip, q.type, this.#lookup);
          if (answer) return this.#done(started, ctx, scan, buildResponse(req, { ...answer, isAuthoritative: true }), 'cluster');
        }
      }
      return this.#forward(started, ctx, scan, req);
    } catch {
      return this.#done(started, ctx, scan, safe(() => buildResponse(req, { rcode: RCODE.SERVFAIL })), 'error');
    }
  }

  /** Flush cached upstream answers (the upstream configuration changed). */
  clearForwardCache(): void {
    this.#o.forwardCache.clear();
  }

  #refuse(scan: ScannedMessage): number | undefined {
    const opcode = (scan.flags >> 11) & 0xf;
    if (opcode !== OPCODE_QUERY) return RCODE.NOTIMP;
    if (scan.questions.length !== 1) return RCODE.FORMERR;
    if (scan.edns && scan.edns.version > 0) return RCODE.BADVERS; // RFC 6891 §6.1.3
    const t = scan.questions[0].type;
    if (t === RR_TYPE.OPT) return RCODE.FORMERR;
    if (t === RR_TYPE.AXFR || t === RR_TYPE.IXFR) return RCODE.REFUSED;
    if (t === RR_TYPE.MAILA || t === RR_TYPE.MAILB) return RCODE.NOTIMP;
    return undefined;
  }

  async #forward(started: number, ctx: QueryContext, scan: ScannedMessage, req: ResponseRequest): Promise<Reply> {
    const q = req.question!;
    const key = `${q.type}/${q.class}/${q.name}`;
    const { forwardCache, metrics } = this.#o;
    const hit = forwardCache.get(key, req.id, req.questionWire, req.queryFlags);
    if (hit) {
      metrics.cacheHits.child('forward', () => ({ cache: 'forward' })).inc();
      return this.#done(started, ctx, scan, fitForwarded(req, hit), 'cache');
    }
    metrics.cacheMisses.child('forward', () => ({ cache: 'forward' })).inc();
    try {
      const response = await this.#o.forwarder.resolve(serversFor(this.#o.upstreams(), q.name).servers, { name: q.name, type: q.type, class: q.class });
      const entry = entryFromResponse(response, forwardCache.limits);
      if (!entry) return this.#done(started, ctx, scan, buildResponse(req, { rcode: RCODE.SERVFAIL }), 'upstream');
      forwardCache.store(key, entry);
      metrics.cacheEntries.set({ cache: 'forward' }, forwardCache.size);
      return this.#done(started, ctx, scan, fitForwarded(req, serveEntry(entry, { id: req.id, questionWire: req.questionWire, queryFlags: req.queryFlags })), 'upstream');
    } catch (e) {
      const code = e instanceof ForwardError ? e.code : 'DNS_UPSTREAM_BAD';
      metrics.upstreamErrors.inc({ code });
      return this.#done(started, ctx, scan, safe(() => buildResponse(req, { rcode: code === 'DNS_UPSTREAM_BUSY' ? RCODE.REFUSED : RCODE.SERVFAIL })), 'upstream');
    }
  }

  /** An ExternalName pointing outside the zone: the CNAME, then the target's records from upstream (spec §2.5). */
  async #chase(started: number, ctx: QueryContext, scan: ScannedMessage, req: ResponseRequest, answer: Answer): Promise<Reply> {
    const body: ResponseBody = { ...answer, isAuthoritative: true };
    try {
      const { name, type } = answer.chase!;
      const key = `${type}/${CLASS_IN}/${name}`;
      let bytes = this.#o.forwardCache.get(key, 0, undefined, 0);
      if (!bytes) {
        const response = await this.#o.forwarder.resolve(serversFor(this.#o.upstreams(), name).servers, { name, type, class: CLASS_IN });
        const entry = entryFromResponse(response, this.#o.forwardCache.limits);
        if (entry) this.#o.forwardCache.store(key, entry);
        bytes = response;
      }
      const upstream = decodeMessage(bytes);
      if (upstream.rcode === RCODE.NOERROR || upstream.rcode === RCODE.NXDOMAIN) {
        body.rcode = upstream.rcode;
        body.answer = [...answer.answer, ...upstream.answer];
        body.authority = upstream.answer.length ? [] : upstream.authority;
      }
    } catch {
      // The CNAME alone still lets the client's resolver chase it.
    }
    return this.#done(started, ctx, scan, safe(() => buildResponse(req, body)), 'upstream');
  }

  #done(started: number, ctx: QueryContext, scan: ScannedMessage | undefined, reply: Reply, source: string): Reply {
    const m = this.#o.metrics;
    const rcode = reply ? rcodeName(reply.readUInt16BE(2) & 0xf) : 'dropped';
    m.responses.child(rcode, () => ({ rcode })).inc();
    const seconds = (performance.now() - started) / 1000;
    m.duration.observe(seconds, { source }, source);
    if (this.isQueryLogEnabled && this.#o.log) this.#o.log(queryLogLine(ctx, scan, reply, seconds));
    return reply;
  }
}

/** The question's name bytes when they hold no compression pointer (then they can be echoed as sent). */
function uncompressedName(query: Buffer, nameEnd: number): Buffer | undefined {
  let p = HEADER_SIZE;
  while (p < nameEnd && query[p] !== 0) {
    if (query[p] & 0xc0) return undefined;
    p += query[p] + 1;
  }
  return p === nameEnd - 1 ? query.subarray(HEADER_SIZE, nameEnd) : undefined;
}

function safe(build: () => Buffer): Reply {
  try {
    return build();
  } catch {
    return null;
  }
}

/** Like CoreDNS's log plugin: `client - id "TYPE CLASS name. proto size do bufsize" RCODE flags size duration`. */
function queryLogLine(ctx: QueryContext, scan: ScannedMessage | undefined, reply: Reply, seconds: number): string {
  const q = scan?.questions[0];
  const what = q ? `${typeName(q.type)} ${q.class === CLASS_IN ? 'IN' : `CLASS${q.class}`} ${q.name}.` : '- - -';
  const flags = reply ? reply.readUInt16BE(2) : 0;
  const names = (['QR', 'AA', 'TC', 'RD', 'RA'] as const).filter((f) => flags & FLAG[f]).map((f) => f.toLowerCase()).join(',');
  return `${ctx.remote ? `${ctx.remote.address}:${ctx.remote.port}` : '-'} - ${scan?.id ?? '-'} "${what} ${ctx.proto} ${scan?.edns?.isDnssecOk ?? false} ${scan?.edns?.udpSize ?? CLASSIC_UDP_SIZE}" ${reply ? rcodeName(flags & 0xf) : 'DROPPED'} ${names} ${reply?.length ?? 0} ${seconds.toFixed(6)}s`;
}
