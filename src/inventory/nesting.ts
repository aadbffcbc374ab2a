/**
 * How deep a variable's value may nest lists and mappings. Everything that walks values (merging,
 * templating, storing) recurses, so a value 5,000 levels deep overflowed the stack mid-run; values
 * are measured where they enter (-e, inventories, vars files, playbooks) instead. Real Ansible data
 * is rarely deeper than 10.
 */
export const MAX_NESTING = 100;

/** True when `value` nests arrays/objects more than `max` levels deep. Iterative: any depth is safe. */
export function nestedTooDeep(value: unknown, max = MAX_NESTING): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    const children = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : Object.values(v);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return false;
}

/** The first top-level key of a mapping (object or Map) whose value nests too deep, if any. */
export function tooDeepKey(vars: unknown): string | undefined {
  if (typeof vars !== 'object' || vars === null) return undefined;
  const entries = vars instanceof Map ? [...vars.entries()] : Object.entries(vars);
  return entries.find(([, v]) => nestedTooDeep(v))?.[0] as string | undefined;
}
