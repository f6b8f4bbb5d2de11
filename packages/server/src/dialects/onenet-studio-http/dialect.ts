// The OneNET Studio HTTP dialect (protocols.md §2.10; docs/device-http.md, "OneNET Studio"): the
// newer generation of OneNET's device OTA API, as an HttpDialect wired in app.ts. It shares the
// legacy dialect's context, token scheme, code table and task states (../onenet-http).
import type { HttpDialect } from '../../transports/http/http-dialect.ts';
import { createOneNetContext, type OneNetOptions } from '../onenet-http/context.ts';
import { registerStudioRoutes } from './routes.ts';

export function createOneNetStudioHttp(
  options: OneNetOptions & {
    /** Path prefixes the API is served under (UPDRAFT_ONENET_STUDIO_PREFIXES). */
    prefixes: readonly string[];
  },
): HttpDialect {
  const ctx = createOneNetContext(options);
  return {
    name: 'onenet-studio-http',
    plugins: [(app) => registerStudioRoutes(app, ctx, options.prefixes)],
  };
}
