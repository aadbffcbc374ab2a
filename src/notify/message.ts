/**
 * The notification document: what changed in a schedule's run, as JSON for programs and a `text`
 * field that Slack (and Mattermost, Teams' Slack-compatible hooks) show as the message.
 */
import type { KeyedEvent } from '../schedule/alerts.js';

export interface NotificationContext {
  readonly schedule: string;
  readonly playbook: string;
  readonly runId: number;
  /** ms since the epoch. */
  readonly finishedAt: number;
}

interface CheckItem {
  host: string;
  check: string;
  status: string;
  message?: string;
}

export interface Notification {
  schedule: string;
  playbook: string;
  run_id: number;
  finished: string;
  text: string;
  new_failing: CheckItem[];
  recovered: CheckItem[];
  still_failing: CheckItem[];
  unreachable: string[];
  reachable_again: string[];
  still_unreachable: string[];
}

/** Slack reads &, < and > as markup: host data must not become a link or a mention. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function buildNotification(ctx: NotificationContext, events: readonly KeyedEvent[]): Notification {
  const checks = (kind: KeyedEvent['event']) =>
    events
      .filter((e) => e.check !== '' && e.event === kind)
      .map((e) => ({ host: e.host, check: e.check, status: e.status, ...(e.message ? { message: e.message } : {}) }));
  const hosts = (kind: KeyedEvent['event']) => events.filter((e) => e.check === '' && e.event === kind).map((e) => e.host);
  const n: Omit<Notification, 'text'> = {
    schedule: ctx.schedule,
    playbook: ctx.playbook,
    run_id: ctx.runId,
    finished: new Date(ctx.finishedAt).toISOString(),
    new_failing: checks('new'),
    recovered: checks('recovered'),
    still_failing: checks('reminder'),
    unreachable: hosts('new'),
    reachable_again: hosts('recovered'),
    still_unreachable: hosts('reminder'),
  };
  return { ...n, text: summaryText(n) };
}

const MAX_LINES = 20;

function summaryText(n: Omit<Notification, 'text'>): string {
  const parts: string[] = [];
  const count = (k: number, what: string) => k && parts.push(`${k} ${what}`);
  count(n.new_failing.length, 'new failing');
  count(n.recovered.length, 'recovered');
  count(n.unreachable.length, 'newly unreachable');
  count(n.reachable_again.length, 'reachable again');
  count(n.still_failing.length + n.still_unreachable.length, 'still open (reminder)');
  const lines = [
    ...n.unreachable.map((h) => `✖ ${h} unreachable`),
    ...n.new_failing.map((c) => `✖ ${c.host} ${c.check} ${c.status}${c.message ? `: ${c.message}` : ''}`),
    ...n.reachable_again.map((h) => `✔ ${h} reachable again`),
    ...n.recovered.map((c) => `✔ ${c.host} ${c.check} ${c.status}`),
    ...n.still_unreachable.map((h) => `… ${h} still unreachable`),
    ...n.still_failing.map((c) => `… ${c.host} ${c.check} still ${c.status}`),
  ];
  const shown = lines.slice(0, MAX_LINES);
  if (lines.length > MAX_LINES) shown.push(`… and ${lines.length - MAX_LINES} more (fleet show ${n.run_id})`);
  return slackEscape(`fleet ${n.schedule} (run ${n.run_id}): ${parts.join(', ')}\n${shown.join('\n')}`);
}
