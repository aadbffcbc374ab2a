/**
 * Random mutations of valid inputs for the parser fuzz tests: insert a token that parsers find
 * interesting (brackets, quotes, anchors, Jinja delimiters, escapes, control characters), delete or
 * duplicate a slice. Starting from valid files keeps most cases deep inside the grammar.
 */
import fc from 'fast-check';

const TOKENS = [
  '[',
  ']',
  '{',
  '}',
  '(',
  ')',
  '{{',
  '}}',
  '{%',
  '%}',
  '{#',
  '&a ',
  '*a',
  '<<: ',
  ':',
  ': ',
  ',',
  '"',
  "'",
  '\\',
  '\n',
  '\r',
  '\t',
  '  ',
  '- ',
  '=',
  '!',
  '~',
  '@',
  '&',
  '*',
  '?',
  '|',
  '>',
  '#',
  '%',
  '---',
  '\u001b[2J',
  '\u0000',
  '\u2028',
  '\\U0010ffff',
  '\\Udeadbeef',
  '\\x',
  '[1:',
  ':]',
  '[a:z]',
  'constructor',
  '__proto__',
  'toString',
  '$(',
  '`',
  '!vault ',
  '!unsafe ',
  'True',
  '0x',
  '1e999',
  '-',
  '.',
  '..',
  '/',
  '[[[[[[[[',
  ']]]]]]]]',
  '{{{{',
  'None',
  '0755',
  'yes',
  '~[',
  '@/nonexistent',
];

type Mutation = { at: number; kind: 'insert'; token: string } | { at: number; kind: 'delete' | 'dup'; len: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    at: fc.nat(),
    kind: fc.constant('insert' as const),
    token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })),
  }),
  fc.record({ at: fc.nat(), kind: fc.constantFrom('delete' as const, 'dup' as const), len: fc.integer({ min: 1, max: 40 }) }),
);

function apply(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1);
  if (m.kind === 'insert') return text.slice(0, at) + m.token + text.slice(at);
  if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + m.len);
  return text.slice(0, at + m.len) + text.slice(at, at + m.len) + text.slice(at + m.len);
}

/** A corpus entry with 1–6 random mutations applied. */
export function mutated(corpus: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 6 }))
    .map(([text, ms]) => ms.reduce(apply, text));
}

/** Cases per parser: FLEET_FUZZ_RUNS raises it by hand (CI keeps the default). */
export const RUNS = Number(process.env.FLEET_FUZZ_RUNS) || 400;
