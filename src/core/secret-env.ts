/**
 * Environment variables through which fleet itself receives secrets. They are fleet's, not its
 * children's: an inventory script or a local command could log, store or show them, so every
 * process fleet starts on the controller gets the environment without them.
 */
export const SECRET_ENV_VARS: readonly string[] = ['FLEET_BECOME_PASSWORD', 'FLEET_SSH_PASSPHRASE'];

/** A copy of `env` without fleet's secret variables, for a child process. */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of SECRET_ENV_VARS) delete out[name];
  return out;
}
