// What the management routes share, in a leaf that imports no route and not the app: the
// context each route plugin is given, the session cookie's name, the request's principal and
// route auth (Fastify's type augmentation), and who acts, for logs.
import type { Role } from '@updraft/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../modules/accounts/account-service.ts';
import type { Services } from '../../services.ts';
import type { CursorCodec } from './cursor.ts';
import type { NumericKind } from './numeric-input.ts';

export const sessionCookie = 'updraft_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The entity before a change, when small (audit-hook.ts). */
    auditBefore: unknown;
  }
  interface FastifyContextConfig {
    /** 'public' needs no sign-in; a role is the least a caller must have. */
    auth?: 'public' | Role;
    /** false: a POST that changes nothing (a preview) is left out of the audit log. */
    audit?: false;
    /** Numeric fields of the route's querystring and params, checked as text (numeric-input.ts). */
    numericInput?: { querystring: Map<string, NumericKind>; params: Map<string, NumericKind> };
  }
}

export interface LoginLimits {
  perAccount: number;
  perAddress: number;
  windowMs: number;
}

export interface RouteContext {
  services: Services;
  cursors: CursorCodec;
  secureCookies: boolean;
  /** Sign-in attempts allowed per account and per client address in a window. */
  loginLimits: LoginLimits;
}

/** Who acts, as plan and upgrade logs name them: `user:{name}` or `key:{name}`. */
export const actor = (request: FastifyRequest) => {
  const p = request.principal!;
  return `${p.kind === 'user' ? 'user' : 'key'}:${p.name}`;
};
