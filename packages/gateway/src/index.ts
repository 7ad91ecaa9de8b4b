// Public entry of @runnel/gateway.
export type { GatewayOptions } from './gateway.ts';
export { defaultRegistryPort, defaultRestPort, Gateway, InvalidBootstrapError } from './gateway.ts';
