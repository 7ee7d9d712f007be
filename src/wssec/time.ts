/**
 * Parses an xs:dateTime as WS-Security uses it: a UTC instant with `Z` or a numeric offset and
 * optional fractional seconds. Values without a time zone are rejected because they are ambiguous.
 */
export function parseUtcDateTime(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}
