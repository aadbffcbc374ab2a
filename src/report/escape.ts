/**
 * Escaping for every output format the report module writes. Host names, messages, evidence and VM
 * names come from hosts and are hostile until proven otherwise: each format gets its own escaper and
 * nothing is ever concatenated into markup unescaped.
 */
import { terminalSafe } from '../output/terminal-safe.js';

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c] ?? c);
}

/**
 * JSON safe inside `<script type="application/json">`: `<`, `>` and `&` become \u escapes so no
 * `</script>` or `<!--` can close or confuse the element, and U+2028/2029 are escaped so the text is
 * also valid JavaScript. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// XML 1.0 forbids most C0 controls, lone surrogates and U+FFFE/FFFF even when escaped.
// eslint-disable-next-line no-control-regex
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const XML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe in XML content and attributes; characters XML cannot carry become U+FFFD. */
export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '\ufffd').replace(/[&<>"']/g, (c) => XML[c] ?? c);
}

/** An XML attribute value: like escapeXml, and newlines/tabs kept as character references. */
export function escapeXmlAttr(text: string): string {
  return escapeXml(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/**
 * One CSV cell (RFC 4180) that a spreadsheet will show as text: a cell starting with = + - @ (or a
 * tab/CR, which some spreadsheets strip first) gets a leading apostrophe so it is never evaluated as
 * a formula; cells with a quote, comma or line break are quoted with quotes doubled. Control and
 * bidi characters (terminal escapes, "Trojan Source" reordering) become visible \xNN escapes, since
 * CSV often lands on a terminal.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  text = terminalSafe(text);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
