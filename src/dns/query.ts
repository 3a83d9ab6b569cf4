// Building a query message: for the forwarder's upstream questions, and for tests and benchmarks.
import { CLASS_IN, FLAG } from './dns-constants.ts';
import { MessageWriter } from './message-writer.ts';

export interface QueryOptions {
  id?: number;
  /** RD (default true). */
  isRecursionDesired?: boolean;
  /** Adds an OPT record advertising this UDP payload size. */
  udpSize?: number;
  class?: number;
}

/** `name` may carry upper case and a trailing dot; it is sent as spelled. */
export function encodeQuery(name: string, type: number, options: QueryOptions = {}): Buffer {
  const plain = name.replace(/\.$/, '');
  const w = new MessageWriter(65_535).header(options.id ?? 0, options.isRecursionDesired === false ? 0 : FLAG.RD);
  w.question({ name: plain, labels: plain ? plain.split('.') : [], type, class: options.class ?? CLASS_IN, nameEnd: 0 });
  if (options.udpSize !== undefined) w.opt(options.udpSize);
  return w.finish();
}
