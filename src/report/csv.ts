/** CSV export: one row per host × check (RFC 4180, CRLF), safe to open in a spreadsheet. */
import { csvCell } from './escape.js';
import { hostCheckGrid } from './grid.js';
import type { RunData } from './run-data.js';

export const CSV_HEADER = [
  'run_id',
  'playbook',
  'host',
  'host_status',
  'check_id',
  'status',
  'severity',
  'message',
  'fix_status',
  'host_reason',
] as const;

/** The run as CSV text. Statuses: the check's, or `unreachable` / `not-run` when it left no result. */
export function buildCsv(data: RunData): string {
  const lines = [CSV_HEADER.join(',')];
  for (const c of hostCheckGrid(data)) {
    lines.push(
      [data.run.id, data.run.playbook, c.host, c.hostStatus, c.checkId, c.status, c.severity, c.message, c.fixStatus, c.hostReason]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
