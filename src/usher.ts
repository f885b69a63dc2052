import { createApp, type AppDeps } from '#app';
import { composeServices, type ServiceOptions } from '#services';

/**
 * The services and the app over them, in one call: for tests, the bench and the API document. `server.ts` does the two
 * steps itself.
 */
export function createUsher(deps: AppDeps, options?: ServiceOptions) {
  const services = composeServices(deps, options);
  return { ...services, app: createApp(services, deps) };
}

export type Usher = ReturnType<typeof createUsher>;
