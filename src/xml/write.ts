/**
 * Escaping for XML the STS writes. The rules are those of Canonical XML (text: & < > and CR;
 * attributes: & < " and TAB, LF, CR), so output written with them is already in canonical form.
 */
export function escapeText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]);
}

/** Escapes an attribute value for use between double quotes, in canonical form. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]);
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/** Formats a date as xs:dateTime in UTC with milliseconds and `Z`. */
export function xmlDateTime(date: Date): string {
  return date.toISOString();
}

/** Returns a fresh xs:ID value: `_` followed by 32 hex digits. */
export function newXmlId(random: (size: number) => Buffer): string {
  return `_${random(16).toString('hex')}`;
}
