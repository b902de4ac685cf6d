/**
 * Finding what a request asks for that this cloud does not offer: a table of request members,
 * each with the feature it asks for and when it asks (whenever it is set, by default). EC2's and
 * Walrus's tables (ec2/unsupported.ts, s3/unsupported.ts) both look here and refuse in their own
 * words.
 */

/** A request member that asks for a missing feature, and when it does. */
export interface AskingMember {
  /** A dotted path into the request's input; `*` walks every item of a list. */
  path: string;
  feature: string;
  asks?: (value: unknown) => boolean;
}

/** The values at a dotted path; `*` walks every item of a list. */
function valuesAt(input: unknown, path: string[]): unknown[] {
  if (!path.length) return [input];
  if (input === undefined || input === null || typeof input !== 'object') return [];
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(input) ? input.flatMap((item) => valuesAt(item, rest)) : [];
  return valuesAt((input as Record<string, unknown>)[head], rest);
}

/** The first member of `members` the input asks with: set (by `isSet`) and, if it has one, its `asks` true. */
export function firstAsking<M extends AskingMember>(
  input: unknown,
  members: readonly M[],
  isSet: (value: unknown) => boolean,
): M | undefined {
  return members.find((m) => valuesAt(input, m.path.split('.')).some((v) => isSet(v) && (m.asks ? m.asks(v) : true)));
}
