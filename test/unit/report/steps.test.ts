/** The drill-down's "what fleet did": which steps are shown, capped, and how they reach the model. */
import { describe, expect, it } from 'vitest';
import { assembleReport } from '../../../src/report/model.js';
import { STEP_OUTPUT_MAX, STEPS_PER_HOST_MAX, stepsWorthShowing } from '../../../src/report/steps.js';
import type { StepRow } from '../../../src/store/types.js';
import { HOSTILE } from '../../fixtures/report/synthetic-fleet.js';
import { T0, check, data, host, run } from './rows.js';

const step = (h: string, stepId: string, over: Partial<StepRow> = {}): StepRow => ({
  runId: 7,
  host: h,
  stepId,
  name: stepId,
  status: 'ok',
  changed: false,
  rc: 0,
  stdout: '',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  startedAt: T0,
  durationMs: 5,
  ...over,
});

describe('stepsWorthShowing', () => {
  const checks = [check('hv1', 'bridge.mtu', 'fail')];

  it('keeps steps that changed the host or failed on their own; not the step that recorded a failing check', () => {
    const shown = stepsWorthShowing(
      [
        step('hv1', 'facts'),
        step('hv1', 'bridge.mtu', { status: 'failed', message: 'fail: MTU 1400' }),
        step('hv1', 'bridge.mtu:fix', { status: 'changed', changed: true, stdout: 'ip link set dev eth0 mtu 1500\n', message: 'fixed' }),
        step('hv2', 'p1.t2', { status: 'failed', stderr: 'No such file', message: 'exit code 1' }),
      ],
      checks,
    );
    expect([...shown.keys()]).toEqual(['hv1', 'hv2']);
    expect(shown.get('hv1')).toEqual([
      { name: 'bridge.mtu:fix', status: 'changed', message: 'fixed', output: 'ip link set dev eth0 mtu 1500' },
    ]);
    expect(shown.get('hv2')).toEqual([{ name: 'p1.t2', status: 'failed', message: 'exit code 1', output: 'No such file' }]);
  });

  it('cuts long output and keeps at most STEPS_PER_HOST_MAX steps per host', () => {
    const many = Array.from({ length: STEPS_PER_HOST_MAX + 5 }, (_, i) =>
      step('hv1', `t${i}`, { changed: true, stdout: 'x'.repeat(STEP_OUTPUT_MAX + 10) }),
    );
    const shown = stepsWorthShowing(many, []).get('hv1') ?? [];
    expect(shown).toHaveLength(STEPS_PER_HOST_MAX);
    expect(shown[0]?.name).toBe('t0');
    expect(shown[0]?.output).toBe(`${'x'.repeat(STEP_OUTPUT_MAX)}\n… 10 more characters: fleet show has all of it`);
  });

  it('reaches the model per sorted host, host output kept as data', () => {
    const steps = stepsWorthShowing(
      [step('hv2', 'p1.t1', { name: 'bridge to declared state', status: 'changed', changed: true, stdout: HOSTILE.stepOutput })],
      [],
    );
    const m = assembleReport({
      data: data([host('hv1', 'failed'), host('hv2', 'changed')], [check('hv1', 'a.one', 'fail')]),
      facts: new Map(),
      previous: null,
      history: [],
      trend: [run()],
      steps,
      generatedAt: T0,
    });
    expect(m.hosts.map((h) => h[0])).toEqual(['hv1', 'hv2']);
    expect(m.steps[0]).toEqual([]);
    const [name, status, msg, out] = m.steps[1]![0]!;
    expect([m.strings[name], status, msg, m.strings[out]]).toEqual(['bridge to declared state', 'changed', -1, HOSTILE.stepOutput]);
  });
});
