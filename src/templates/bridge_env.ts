/**
 * TEMPORARY adapter for src/bridge until it is switched to the project's one template engine
 * (src/templates/render.ts, TemplateEngine.renderFile). Same settings as that engine: Jinja2
 * syntax, autoescape off, undefined is an error, trimBlocks on, lstripBlocks off (the bridge
 * templates keep every block tag at column 0, so their output does not depend on lstripBlocks).
 */
import nunjucks from 'nunjucks';

const envs = new Map<string, nunjucks.Environment>();

/** Renders template `name` (relative to `searchPath`) with `vars`. */
export function renderBridgeTemplate(searchPath: string, name: string, vars: object): string {
  let env = envs.get(searchPath);
  if (!env) {
    env = new nunjucks.Environment(new nunjucks.FileSystemLoader(searchPath, { noCache: true }), {
      autoescape: false,
      throwOnUndefined: true,
      trimBlocks: true,
      lstripBlocks: false,
    });
    envs.set(searchPath, env);
  }
  return env.render(name, vars);
}
