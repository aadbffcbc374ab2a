/** nunjucks' AST transformer is not part of its typed public API; render.ts uses it like nunjucks does. */
declare module 'nunjucks/src/transformer.js' {
  const transformer: { transform(ast: unknown, asyncFilters: string[], name: string): unknown };
  export default transformer;
}
