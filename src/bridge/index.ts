/** Bridge configuration for the six network stacks: validate parameters, detect the stack, render files. */
export { validateBridgeParams, BRIDGE_VARS } from './validate.js';
export { detectStack, type StackFacts, type DetectedStack } from './detect.js';
export { renderBridgeConfig, templateContext } from './render.js';
export { stackPlan } from './plan.js';
export * from './types.js';
