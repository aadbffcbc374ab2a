/**
 * YAML as Ansible reads it (PyYAML, YAML 1.1): `yes`/`on` are booleans but `y` is not, `0755` is octal,
 * `1e3` is a string (a float needs a dot), `1:20` is 80, dates stay text, `!unsafe` is plain text and
 * `!vault` is refused. Errors carry the file and 1-based line.
 */
import { LineCounter, isMap, isPair, isScalar, parseDocument, type Document, type ScalarTag, type Tags } from 'yaml';
import type { SourceLocation } from '../core/errors.js';
import { yamlProblem } from './yaml-guard.js';

export type ErrorFactory = (message: string, loc: SourceLocation) => Error;

export interface LoadedYaml {
  /** The document as JS values; mappings are Maps so non-string keys stay visible. */
  readonly data: unknown;
  /** 1-based line of the key at `path` (or of the nearest enclosing key that can be found). */
  lineOf(path: readonly unknown[]): number | undefined;
}

const sexagesimal = (s: string): number => {
  const sign = s.startsWith('-') ? -1 : 1;
  const parts = s.replace(/^[-+]/, '').replace(/_/g, '').split(':');
  return sign * parts.reduce((acc, p) => acc * 60 + Number(p), 0);
};

/** YAML 1.1 booleans as Ansible reads them (yes/no/on/off in three casings). */
const pyBool = (value: boolean, test: RegExp): ScalarTag => ({
  identify: (v) => v === value,
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test,
  resolve: () => value,
});
const pyTrue = pyBool(true, /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/);
const pyFalse = pyBool(false, /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/);
const pyInt: ScalarTag = {
  identify: (v) => typeof v === 'number' && Number.isInteger(v),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  resolve: (s) => {
    const sign = s.startsWith('-') ? -1 : 1;
    const t = s.replace(/^[-+]/, '').replace(/_/g, '');
    if (t.includes(':')) return sexagesimal(s);
    if (t.startsWith('0b')) return sign * parseInt(t.slice(2) || '0', 2);
    if (t.startsWith('0x')) return sign * parseInt(t.slice(2) || '0', 16);
    if (t.length > 1 && t.startsWith('0')) return sign * parseInt(t, 8);
    return sign * Number(t);
  },
};
const pyFloat: ScalarTag = {
  identify: (v) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (s) => {
    const t = s.replace(/_/g, '').toLowerCase();
    if (t.endsWith('.inf')) return t.startsWith('-') ? -Infinity : Infinity;
    if (t === '.nan') return NaN;
    if (t.includes(':')) return sexagesimal(s);
    return Number(t.endsWith('.') ? t.slice(0, -1) : t);
  },
};
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (s) => s };
const vaultTag: ScalarTag = {
  tag: '!vault',
  resolve: (_s, onError) => {
    onError('ansible-vault encrypted values (!vault) are not supported');
    return '';
  },
};

const REPLACED = new Set(['tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:timestamp']);

/** The YAML 1.1 tags with PyYAML's scalar rules swapped in. */
function pyYamlTags(tags: Tags): Tags {
  const kept = tags.filter((t) => typeof t === 'string' || !REPLACED.has(t.tag));
  return [...kept, pyTrue, pyFalse, pyInt, pyFloat, unsafeTag, vaultTag];
}

/** Parses one YAML document; throws makeError(message, {file, line}) for a syntax error. */
export function loadYaml(text: string, file: string, makeError: ErrorFactory): LoadedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.1',
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter,
    customTags: pyYamlTags,
  });
  const first = doc.errors[0];
  if (first) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw makeError(`invalid YAML: ${oneLine(first.message)}`, { file, line });
  }
  const problem = yamlProblem(doc);
  if (problem)
    throw makeError(problem.message, { file, line: problem.offset === undefined ? undefined : lineCounter.linePos(problem.offset).line });
  let data: unknown;
  try {
    data = doc.toJS({ mapAsMap: true });
  } catch (e) {
    throw makeError(`invalid YAML: ${oneLine((e as Error).message)}`, { file });
  }
  return { data, lineOf: (path) => keyLine(doc, lineCounter, path) };
}

function keyLine(doc: Document, lc: LineCounter, path: readonly unknown[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    if (!isMap(parent)) continue;
    const key = path[n - 1];
    const pair = parent.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value === key : p.key === key));
    const node = pair?.key;
    const start = isScalar(node) ? node.range?.[0] : undefined;
    if (start !== undefined) return lc.linePos(start).line;
  }
  return undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
