/**
 * Printers shared by every command. euca2ools output is tab-separated records that begin with a
 * record type (AVAILABILITYZONE, REGION, ...); scripts cut them by column, so every line of one
 * record type has the same fields in the same order, and a missing value is an empty field,
 * trailing ones included (as requestbuilder's tabify prints them). `--show-empty-fields` prints
 * "(nil)" for them instead.
 */
export type Field = string | number | boolean | null | undefined;

/** What an empty field prints as: '' unless the command line asked for --show-empty-fields. */
let emptyField = '';

/** Set once per command, from its --show-empty-fields flag. */
export function showEmptyFields(on: boolean): void {
  emptyField = on ? '(nil)' : '';
}

function isEmpty(f: Field): boolean {
  return f === null || f === undefined || f === '';
}

export function tabify(fields: Field[]): string {
  return fields.map((f) => (isEmpty(f) ? emptyField : String(f))).join('\t');
}

/** One record: its type, then every field, empty ones included. */
export function record(type: string, ...fields: Field[]): string {
  return tabify([type, ...fields]);
}

export function printLines(lines: string[]): void {
  if (lines.length) process.stdout.write(lines.join('\n') + '\n');
}
