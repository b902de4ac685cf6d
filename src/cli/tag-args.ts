/**
 * The `--tag KEY[=VALUE]` argument of the tag commands, as euca2ools reads it: everything before
 * the first "=" is the key; no "=" means no value (an empty one for create-tags, any value for
 * delete-tags).
 */
import { Flags } from '@oclif/core';
import { UsageError } from '../shared/errors';

export type TagArg = {
  Key: string;
  Value?: string;
};

export function parseTagArg(spec: string): TagArg {
  const eq = spec.indexOf('=');
  const tag = eq < 0 ? { Key: spec } : { Key: spec.slice(0, eq), Value: spec.slice(eq + 1) };
  if (!tag.Key) throw new UsageError(`argument --tag: a tag needs a key: "${spec}"`);
  return tag;
}

export const tagFlag = (summary: string, required: boolean) =>
  Flags.string({ summary, helpValue: 'KEY[=VALUE]', multiple: true, multipleNonGreedy: true, required });
