/** Facts gathering: the read-only script run once per host and the parser for its output. */
export { factsCommand, factsScript, FACT_SECTIONS, FACTS_FORMAT_VERSION, type FactsScriptVars } from './script.js';
export { parseFacts } from './parse.js';
export { splitSections, type RawSection, type SplitOutput } from './sections.js';
export type * from './types.js';
