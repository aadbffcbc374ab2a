/**
 * JUnit XML for CI dashboards: one testsuite per host, one testcase per host × check (failing checks
 * as <failure>, check errors and unreachable hosts as <error>, skipped or not-run as <skipped>), and
 * a "(fleet-wide)" suite for fleet checks. Follows the Jenkins/Surefire junit-10 schema.
 */
import type { FleetCheckResult } from '../core/check.js';
import { escapeXml, escapeXmlAttr } from './escape.js';
import { hostCheckGrid, type GridCell } from './grid.js';
import type { RunData } from './run-data.js';

interface Case {
  readonly classname: string;
  readonly name: string;
  /** The element inside the testcase, already serialised, or '' for a pass. */
  readonly body: string;
  readonly kind: 'pass' | 'failure' | 'error' | 'skipped';
}

/** The run as a JUnit XML document. */
export function buildJunit(data: RunData): string {
  const suites: { name: string; cases: Case[]; time: number; timestamp: number }[] = [];
  const bySuite = new Map<string, Case[]>();
  for (const cell of hostCheckGrid(data)) {
    let cases = bySuite.get(cell.host);
    if (!cases) {
      cases = [];
      bySuite.set(cell.host, cases);
      const h = data.hosts.find((x) => x.host === cell.host);
      const started = h?.startedAt ?? data.run.startedAt;
      suites.push({
        name: cell.host,
        cases,
        time: h?.finishedAt && h.startedAt ? (h.finishedAt - h.startedAt) / 1000 : 0,
        timestamp: started,
      });
    }
    cases.push(hostCase(cell));
  }
  // Hosts without any check (ad-hoc runs, hosts that failed before checking) still get a testcase.
  for (const h of data.hosts) {
    if (bySuite.has(h.host)) continue;
    const cell: GridCell = {
      host: h.host,
      hostStatus: h.status,
      hostReason: h.reason,
      checkId: 'host',
      status:
        h.status === 'unreachable' || h.status === 'unaudited'
          ? 'unreachable'
          : h.status === 'failed'
            ? 'fail'
            : h.status === 'skipped'
              ? 'skipped'
              : 'pass',
      severity: null,
      message: h.reason ?? h.status,
      fix: null,
      fixStatus: null,
    };
    const cases = [hostCase(cell)];
    bySuite.set(h.host, cases);
    suites.push({
      name: h.host,
      cases,
      time: h.finishedAt && h.startedAt ? (h.finishedAt - h.startedAt) / 1000 : 0,
      timestamp: h.startedAt ?? data.run.startedAt,
    });
  }
  if (data.fleet.length > 0)
    suites.push({ name: '(fleet-wide)', cases: data.fleet.map(fleetCase), time: 0, timestamp: data.run.startedAt });

  const count = (cases: readonly Case[], kind: Case['kind']) => cases.filter((c) => c.kind === kind).length;
  const all = suites.flatMap((s) => s.cases);
  const runTime = data.run.finishedAt === null ? 0 : (data.run.finishedAt - data.run.startedAt) / 1000;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="${escapeXmlAttr(`fleet run ${data.run.id}: ${data.run.playbook}`)}" tests="${all.length}" failures="${count(all, 'failure')}" errors="${count(all, 'error')}" time="${runTime.toFixed(3)}">`,
  );
  suites.forEach((s, i) => {
    out.push(
      `  <testsuite name="${escapeXmlAttr(s.name)}" id="${i}" tests="${s.cases.length}" failures="${count(s.cases, 'failure')}" errors="${count(s.cases, 'error')}" skipped="${count(s.cases, 'skipped')}" time="${s.time.toFixed(3)}" timestamp="${isoSeconds(s.timestamp)}">`,
    );
    for (const c of s.cases) {
      const open = `    <testcase name="${escapeXmlAttr(c.name)}" classname="${escapeXmlAttr(c.classname)}" time="0"`;
      out.push(c.body ? `${open}>\n      ${c.body}\n    </testcase>` : `${open}/>`);
    }
    out.push('  </testsuite>');
  });
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function hostCase(cell: GridCell): Case {
  const base = { classname: cell.host, name: cell.checkId };
  const detail = cell.fix ? `${cell.message}\n\nSuggested fix:\n${cell.fix}` : cell.message;
  switch (cell.status) {
    case 'fail':
      return { ...base, kind: 'failure', body: element('failure', firstLine(cell.message), cell.severity ?? 'fail', detail) };
    case 'error':
      return { ...base, kind: 'error', body: element('error', firstLine(cell.message), 'check-error', detail) };
    case 'unreachable':
      return {
        ...base,
        kind: 'error',
        body: element('error', `unreachable: ${firstLine(cell.hostReason ?? '')}`, 'unreachable', cell.hostReason ?? ''),
      };
    case 'skipped':
    case 'not-run':
      return {
        ...base,
        kind: 'skipped',
        body: `<skipped message="${escapeXmlAttr(firstLine(cell.status === 'skipped' ? cell.message : `not checked (host ${cell.hostStatus})`))}"/>`,
      };
    case 'warn':
      return { ...base, kind: 'pass', body: `<system-out>${escapeXml(`warn: ${cell.message}`)}</system-out>` };
    case 'pass':
      return { ...base, kind: 'pass', body: '' };
  }
}

function fleetCase(f: FleetCheckResult): Case {
  const base = { classname: '(fleet-wide)', name: f.id };
  const detail = `${f.message}\n\nHosts involved: ${f.hosts.join(', ')}`;
  if (f.status === 'fail') return { ...base, kind: 'failure', body: element('failure', firstLine(f.message), f.severity, detail) };
  if (f.status === 'error') return { ...base, kind: 'error', body: element('error', firstLine(f.message), 'check-error', detail) };
  if (f.status === 'skipped') return { ...base, kind: 'skipped', body: `<skipped message="${escapeXmlAttr(firstLine(f.message))}"/>` };
  if (f.status === 'warn') return { ...base, kind: 'pass', body: `<system-out>${escapeXml(`warn: ${detail}`)}</system-out>` };
  return { ...base, kind: 'pass', body: '' };
}

function element(tag: 'failure' | 'error', message: string, type: string, text: string): string {
  return `<${tag} message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(type)}">${escapeXml(text)}</${tag}>`;
}

function firstLine(text: string, max = 300): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Surefire's timestamp: ISO 8601 without fractions or zone (UTC here). */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
