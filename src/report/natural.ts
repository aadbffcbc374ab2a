/** Natural order for host names: hv2 before hv10. */
const collator = new Intl.Collator('en', { numeric: true });

export function natural(a: string, b: string): number {
  return collator.compare(a, b);
}
