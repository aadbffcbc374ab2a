/** `fleet inventory --list|--graph|--host NAME`: the same views as ansible-inventory. */
import { InputError } from '../../core/errors.js';
import { inventoryGraph, inventoryHost, inventoryListJson, loadInventory } from '../../inventory/index.js';
import { inventoryOptions, type ArgsOf } from '../options.js';
import { defineCommand } from '../define-command.js';
import { inventorySources } from '../session.js';
import { warnerOf, type Io } from '../io.js';
import { terminalJson } from '../../output/terminal-safe.js';

const inventoryViewOptions = {
  list: { type: 'boolean', describe: 'All groups and hosts with their vars, as JSON (ansible-inventory --list)' },
  graph: { type: 'boolean', describe: 'The group tree (ansible-inventory --graph)' },
  host: { type: 'string', describe: "One host's merged vars, as JSON (ansible-inventory --host)" },
  'show-secrets': { type: 'boolean', describe: 'Do not mask passwords and vars named as secret' },
} as const;

type InventoryCommandArgs = ArgsOf<typeof inventoryViewOptions & Pick<typeof inventoryOptions, 'inventory'>>;

export const inventoryCommand = defineCommand({
  command: 'inventory',
  describe: 'Show the inventory as fleet reads it (same output as ansible-inventory)',
  options: { inventory: inventoryOptions.inventory, ...inventoryViewOptions },
  refine: (y) => y.conflicts('list', ['graph', 'host']).conflicts('graph', 'host'),
  examples: [
    ['$0 inventory -i inventory/ --list', 'JSON of the whole inventory'],
    ['$0 inventory -i hosts.ini --graph', 'tree of groups'],
    ['$0 inventory -i hosts.ini --host hv01', 'vars of hv01'],
  ],
  run: runInventory,
});

async function runInventory(io: Io, args: InventoryCommandArgs): Promise<number> {
  if (!args.list && !args.graph && args.host === undefined)
    throw new InputError('fleet inventory needs one of --list, --graph or --host NAME');
  const inv = await loadInventory(inventorySources(args, io.cwd), { cwd: io.cwd });
  inv.warnings.forEach(warnerOf(io));
  const maskSecrets = !args['show-secrets'];
  if (args.graph) io.stdout.write(`${inventoryGraph(inv)}\n`);
  else if (args.host !== undefined) io.stdout.write(`${terminalJson(inventoryHost(inv, args.host, { maskSecrets }), 4)}\n`);
  else io.stdout.write(`${terminalJson(inventoryListJson(inv, { maskSecrets }), 4)}\n`);
  return 0;
}
