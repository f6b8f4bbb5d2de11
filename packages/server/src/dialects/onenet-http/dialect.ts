// The OneNET HTTP dialect (protocols.md §2; docs/device-http.md): OneNET's southbound OTA API
// and the device side of manual-plan confirmations, as an HttpDialect wired in app.ts.
import type { HttpDialect } from '../../transports/http/http-dialect.ts';
import { registerConfirmationRoutes } from './confirmation-routes.ts';
import { createOneNetContext, type OneNetOptions } from './context.ts';
import { registerOneNetRoutes } from './routes.ts';

export function createOneNetHttp(options: OneNetOptions): HttpDialect {
  const ctx = createOneNetContext(options);
  return {
    name: 'onenet-http',
    plugins: [(app) => registerOneNetRoutes(app, ctx), (app) => registerConfirmationRoutes(app, ctx)],
  };
}
