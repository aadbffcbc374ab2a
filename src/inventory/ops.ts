/**
 * What a parsed inventory source says, as a list of steps in the order Ansible's parsers would apply
 * them to its inventory. Parsers are pure (text in, steps out) and a source that fails halfway adds
 * nothing, unlike Ansible's half-applied sources.
 */
import type { SourceLocation } from '../core/errors.js';

export type InventoryOp =
  | { readonly op: 'group'; readonly name: string; readonly loc: SourceLocation }
  | {
      readonly op: 'host';
      readonly name: string;
      readonly group: string | undefined;
      readonly port: number | undefined;
      /** Host lists (`-i a,b,`) only add hosts the inventory does not know yet. */
      readonly onlyIfNew?: boolean;
      readonly loc: SourceLocation;
    }
  | { readonly op: 'groupVar'; readonly group: string; readonly key: string; readonly value: unknown; readonly loc: SourceLocation }
  | { readonly op: 'hostVar'; readonly host: string; readonly key: string; readonly value: unknown; readonly loc: SourceLocation }
  | { readonly op: 'child'; readonly parent: string; readonly child: string; readonly loc: SourceLocation };

/** One parsed inventory file, script or host list. */
export interface ParsedSource {
  /** Absolute path (Ansible's inventory_file), undefined for a host list. */
  readonly file: string | undefined;
  readonly ops: readonly InventoryOp[];
  readonly warnings: readonly string[];
}
