/** Small readers for untrusted JSON from hosts: wrong shapes become undefined, never exceptions. */

export type JsonObject = Record<string, unknown>;

/** Parses JSON text; an empty output is an empty list (ip prints nothing for "no entries" on some versions). */
export function parseJson(text: string): unknown {
  return text.trim() === '' ? [] : (JSON.parse(text) as unknown);
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value as an array of objects (non-objects dropped); throws if it is not an array at all. */
export function objects(v: unknown, what: string): JsonObject[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected a JSON array`);
  return v.filter(isObject);
}

export function str(o: JsonObject | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function num(o: JsonObject | undefined, key: string): number | undefined {
  const v = o?.[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

export function obj(o: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = o?.[key];
  return isObject(v) ? v : undefined;
}

export function strings(o: JsonObject | undefined, key: string): string[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
