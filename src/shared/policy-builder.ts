/**
 * The policy document euare-groupaddpolicy / euare-useraddpolicy build from `-e EFFECT -a ACTION
 * ... [-r RESOURCE ...]`, serialized exactly as Eucalyptus prints it with -o (seed 000, "Add a
 * Group Policy"):
 *
 *   { "Version": "2008-10-17", "Statement": [ { "Effect": "Allow", "Action": [ "ec2:RunInstances" ],
 *   "Resource": [ "*" ] } ] }   (one line)
 */

/** Normalizes an effect argument ("allow", "DENY", ...) to Allow or Deny; throws otherwise. */
export function normalizeEffect(effect: string): 'Allow' | 'Deny' {
  const e = effect.trim().toLowerCase();
  if (e === 'allow') return 'Allow';
  if (e === 'deny') return 'Deny';
  throw new Error(`effect must be Allow or Deny, not "${effect}"`);
}

const list = (items: string[]) => `[ ${items.map((s) => JSON.stringify(s)).join(', ')} ]`;

/** The one-statement policy document for an effect, actions and resources (default `*`). */
export function buildPolicy(effect: string, actions: string[], resources: string[] = []): string {
  const acts = actions.map((a) => a.trim()).filter((a) => a !== '');
  if (acts.length === 0) throw new Error('at least one action is required');
  const res = resources.map((r) => r.trim()).filter((r) => r !== '');
  return (
    `{ "Version": "2008-10-17", "Statement": [ { ` +
    `"Effect": ${JSON.stringify(normalizeEffect(effect))}, "Action": ${list(acts)}, "Resource": ${list(res.length ? res : ['*'])} } ] }`
  );
}
