/**
 * `check`: evaluates a health check on the host. Either a built-in one, a pure function of the
 * host's facts (`check: bridge.ip-on-port`), or an ad-hoc one written in the playbook:
 *   check: { id: my.check, command: "…", expect: {rc: 0} | {stdout_regex: "…"} | {json_path: "a.b", equals: …},
 *            severity: high, message: "…", fix: [tasks] }
 * An ad-hoc check's command is a read-only probe: it runs in every mode, so it must not change anything.
 * A check never changes the host; its fix is run by the playbook executor (only with --fix).
 */
import type { CheckResult, CheckStatus, Severity } from '../core/check.js';
import { PlaybookError, UnreachableError } from '../core/errors.js';
import { isMapping } from '../templates/truth.js';
import { pyRegex } from '../templates/regex.js';
import { checkArgs, str } from './args.js';
import { trimOutput } from './command-common.js';
import { getJsonPath, jsonEqual, parseJsonPath } from './json-path.js';
import { didYouMean } from './suggest.js';
import type { ModuleContext, ModuleResult, TaskModule } from './types.js';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const ID = /^[a-z0-9][a-z0-9_.-]*$/i;
const EXPECT_KEYS = ['rc', 'stdout_regex', 'stdout_not_regex', 'json_path', 'equals'];

const SPEC = {
  types: {
    id: 'string',
    vars: 'mapping',
    severity: 'string',
    message: 'string',
    fix: 'list',
    command: 'string',
    expect: 'mapping',
    timeout: 'int',
    fix_timeout: 'int',
  },
  required: ['id'],
} as const;

function cap(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}… (${s.length - n} more chars)` : s;
}

export const checkModule: TaskModule = {
  name: 'check',
  rawArgs: ['fix'],
  parse(raw, at) {
    const args = checkArgs('check', typeof raw === 'string' ? { id: raw } : raw, SPEC, at);
    const id = String(args['id']);
    if (!ID.test(id))
      throw new PlaybookError(`check id '${id}' must be letters, digits, '.', '-' or '_' (and no templates)`, at.keyLoc('id'));
    const sev = args['severity'];
    if (sev !== undefined && !SEVERITIES.includes(sev as Severity)) {
      throw new PlaybookError(
        `check severity must be one of ${SEVERITIES.join(', ')}${didYouMean(String(sev), SEVERITIES)}`,
        at.keyLoc('severity'),
      );
    }
    if (args['command'] === undefined && args['expect'] !== undefined)
      throw new PlaybookError('check: expect needs a command', at.keyLoc('expect'));
    const expect = args['expect'];
    if (isMapping(expect)) {
      for (const k of Object.keys(expect)) {
        if (!EXPECT_KEYS.includes(k))
          throw new PlaybookError(`check: unknown expect key '${k}'${didYouMean(k, EXPECT_KEYS)}`, at.keyLoc('expect'));
      }
      if ('json_path' in expect !== 'equals' in expect)
        throw new PlaybookError('check: expect.json_path and expect.equals go together', at.keyLoc('expect'));
      try {
        if (typeof expect['json_path'] === 'string') parseJsonPath(expect['json_path']);
        for (const k of ['stdout_regex', 'stdout_not_regex']) if (typeof expect[k] === 'string') pyRegex(expect[k], {});
      } catch (err) {
        throw new PlaybookError(`check: ${(err as Error).message}`, at.keyLoc('expect'));
      }
    }
    return args;
  },
  validate(args, v) {
    const id = String(args['id']);
    const builtin = v.catalog.hasCheck(id);
    if (args['command'] !== undefined) {
      if (builtin) throw new PlaybookError(`check '${id}' is a built-in check; give an ad-hoc check its own id`, v.at.keyLoc('id'));
      return;
    }
    if (!builtin) throw new PlaybookError(`unknown check '${id}'${didYouMean(id, v.catalog.checkIds())}`, v.at.keyLoc('id'));
  },
  mutates: () => false,
  async run(ctx, args) {
    const check = args['command'] === undefined ? await runBuiltin(ctx, args) : await runAdHoc(ctx, args);
    const failed = check.status === 'fail' || check.status === 'error';
    return {
      changed: false,
      failed,
      msg: `${check.status}: ${check.message}`,
      check,
      data: { id: check.id, status: check.status, severity: check.severity, message: check.message, evidence: check.evidence },
    };
  },
};

async function runBuiltin(ctx: ModuleContext, args: Record<string, unknown>): Promise<CheckResult> {
  const id = String(args['id']);
  const severity = args['severity'] as Severity | undefined;
  let facts: unknown;
  try {
    facts = await ctx.facts();
  } catch (err) {
    if (err instanceof UnreachableError) throw err;
    return { id, status: 'error', severity: severity ?? 'medium', message: `facts unavailable: ${(err as Error).message}` };
  }
  const vars = isMapping(args['vars']) ? { ...ctx.vars, ...args['vars'] } : ctx.vars;
  let result: CheckResult;
  try {
    result = ctx.catalog.runCheck(id, facts, ctx.engine.resolvedView(vars));
  } catch (err) {
    result = { id, status: 'error', severity: severity ?? 'medium', message: `check crashed: ${(err as Error).message}` };
  }
  return severity ? { ...result, severity } : result;
}

async function runAdHoc(ctx: ModuleContext, args: Record<string, unknown>): Promise<CheckResult> {
  const id = String(args['id']);
  const severity = (args['severity'] as Severity | undefined) ?? 'medium';
  const command = str(args, 'command') ?? '';
  const expect = isMapping(args['expect']) ? args['expect'] : { rc: 0 };
  const timeoutS = typeof args['timeout'] === 'number' ? args['timeout'] : undefined;
  const r = await ctx.exec(command, timeoutS ? { timeoutMs: timeoutS * 1000 } : {});
  const stdout = trimOutput(r.stdout);
  const evidence = { command, rc: r.rc, stdout: cap(stdout, 4096), stderr: cap(trimOutput(r.stderr), 1024), expect };
  const fixText = Array.isArray(args['fix'])
    ? `tasks: ${args['fix'].map((t) => (isMapping(t) && typeof t['name'] === 'string' ? t['name'] : '(unnamed)')).join('; ')}`
    : undefined;
  const result = (status: CheckStatus, why: string): CheckResult => ({
    id,
    status,
    severity,
    message: status === 'fail' ? (str(args, 'message') ?? why) : why,
    evidence,
    ...(status === 'fail' && fixText ? { fix: fixText } : {}),
  });
  if (r.timedOut) return result('error', `check command timed out: ${command}`);
  if (r.rc === null) return result('error', `check command killed by signal ${r.signal ?? '?'}`);

  const problems: string[] = [];
  if (expect['rc'] !== undefined && Number(expect['rc']) !== r.rc) problems.push(`expected rc ${String(expect['rc'])}, got ${r.rc}`);
  if (typeof expect['stdout_regex'] === 'string' && !pyRegex(expect['stdout_regex'], { multiline: true }).test(stdout)) {
    problems.push(`stdout does not match /${expect['stdout_regex']}/`);
  }
  if (typeof expect['stdout_not_regex'] === 'string' && pyRegex(expect['stdout_not_regex'], { multiline: true }).test(stdout)) {
    problems.push(`stdout matches /${expect['stdout_not_regex']}/`);
  }
  if (typeof expect['json_path'] === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(stdout);
    } catch {
      return result('error', `check command output is not JSON: ${cap(stdout, 80)}`);
    }
    const got = getJsonPath(parsed, expect['json_path']);
    if (!got.found) problems.push(`${expect['json_path']} not found in output`);
    else if (!jsonEqual(got.value, expect['equals']))
      problems.push(`${expect['json_path']} is ${JSON.stringify(got.value)}, expected ${JSON.stringify(expect['equals'])}`);
  }
  return problems.length ? result('fail', problems.join('; ')) : result('pass', 'ok');
}
