import { describe, expect, it } from 'vitest';
import { builtinCatalog, parsePlaybook, tagSelected } from '../../../src/playbook/index.js';
import { withCheckTags } from '../../../src/playbook/parse.js';

describe('check tasks are tagged with their id and group', () => {
  it("adds the id and group to the task's own tags", async () => {
    const pb = await parsePlaybook(
      '/pb/h.yml',
      '- hosts: all\n  tasks:\n    - check: bridge.mtu\n    - check: netfilter.nft-forward\n      tags: [fw]\n    - debug: {msg: hi}\n',
      { catalog: builtinCatalog() },
    );
    const tasks = pb.plays[0]!.tasks as unknown as { tags: string[] }[];
    expect(tasks.map((t) => t.tags)).toEqual([['bridge.mtu', 'bridge'], ['fw', 'netfilter.nft-forward', 'netfilter'], []]);
    // --tags bridge selects the bridge check only; --skip-tags netfilter.nft-forward drops that one.
    expect(tasks.map((t) => tagSelected(t.tags, { tags: ['bridge'], skipTags: [] }))).toEqual([true, false, false]);
    expect(tasks.map((t) => tagSelected(t.tags, { tags: [], skipTags: ['netfilter.nft-forward'] }))).toEqual([true, false, true]);
  });

  it('does not duplicate tags', () => {
    expect(withCheckTags(['bridge'], 'bridge.up')).toEqual(['bridge', 'bridge.up']);
  });
});
