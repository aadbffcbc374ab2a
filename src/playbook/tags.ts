/**
 * --tags / --skip-tags, with Ansible's special tags: `always` runs unless skipped explicitly,
 * `never` runs only when one of its tags (or `never`) is asked for, `all` = everything but never,
 * `tagged` / `untagged`.
 */

export interface TagFilter {
  readonly tags: readonly string[];
  readonly skipTags: readonly string[];
}

/** Whether a task with these (own + inherited) tags runs under the filter. */
export function tagSelected(taskTags: readonly string[], filter: TagFilter): boolean {
  const tags = new Set(taskTags);
  const skip = new Set(filter.skipTags);
  if ([...tags].some((t) => skip.has(t)) || (skip.has('tagged') && tags.size > 0) || (skip.has('untagged') && tags.size === 0))
    return false;
  if (skip.has('all') && !tags.has('always')) return false;
  if (tags.has('always') && !skip.has('always')) return true;
  const wanted = filter.tags.length === 0 ? ['all'] : filter.tags;
  const named = [...tags].filter((t) => t !== 'never' && t !== 'always');
  if (tags.has('never')) return wanted.includes('never') || named.some((t) => wanted.includes(t));
  return wanted.some((w) => (w === 'all' ? true : w === 'tagged' ? tags.size > 0 : w === 'untagged' ? tags.size === 0 : tags.has(w)));
}
