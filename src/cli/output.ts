/**
 * Printers shared by every command. euca2ools output is tab-separated records that begin with a
 * record type (AVAILABILITYZONE, REGION, ...); scripts cut them by column, so a missing value is an
 * empty field and the column order never changes.
 */
export type Field = string | number | boolean | null | undefined;

export function tabify(fields: Field[]): string {
  return fields.map((f) => (f === null || f === undefined ? '' : String(f))).join('\t');
}

/** Trailing empty fields are dropped: euca2ools prints optional trailing columns only when set. */
export function record(type: string, ...fields: Field[]): string {
  const out = [type, ...fields];
  while (
    out.length > 1 &&
    (out[out.length - 1] === undefined || out[out.length - 1] === null || out[out.length - 1] === '')
  )
    out.pop();
  return tabify(out);
}

export function printLines(lines: string[]): void {
  if (lines.length) process.stdout.write(lines.join('\n') + '\n');
}
