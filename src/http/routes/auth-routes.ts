import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AuthDeps } from '../../core/auth/auth-session.js';
import { completeReset } from '../../core/auth/complete-reset.js';
import { login } from '../../core/auth/login.js';
import { logout } from '../../core/auth/logout.js';
import { refresh } from '../../core/auth/refresh.js';
import { signup } from '../../core/auth/signup.js';
import type { AppEnv } from '../app-env.js';
import { z } from '@hono/zod-openapi';
import { errorResponses } from '../schemas/common-schemas.js';
import { CompleteResetBody, LoginBody, RefreshBody, SessionSchema, SignupBody } from '../schemas/auth-schemas.js';
import type { AppServices } from '../services.js';

const LogoutResponse = z.object({ success: z.literal(true) }).openapi('LogoutResponse');
const json = <T>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
const session = (description: string) => ({ description, content: { 'application/json': { schema: SessionSchema } } });

const signupRoute = createRoute({
  method: 'post',
  path: '/auth/signup',
  tags: ['auth'],
  summary: 'Create an account and sign in (the first account is admin)',
  request: { body: json(SignupBody) },
  responses: { 201: session('Signed up'), ...errorResponses(400, 409, 429) },
});

const loginRoute = createRoute({
  method: 'post',
  path: '/auth/login',
  tags: ['auth'],
  summary: 'Sign in with email and password',
  description:
    'An account imported into a Cognito deployment signs in first with the temporary password the pool e-mailed: the answer is 403 `password_reset_required` with `details.session`; send that to POST /api/auth/complete-reset with a new password.',
  request: { body: json(LoginBody) },
  responses: { 200: session('Signed in'), ...errorResponses(400, 401, 403, 429) },
});

const completeResetRoute = createRoute({
  method: 'post',
  path: '/auth/complete-reset',
  tags: ['auth'],
  summary: 'Set a new password after login answered password_reset_required, and sign in',
  description:
    'Cognito: answers the NEW_PASSWORD_REQUIRED challenge of an imported account. The embedded shape never forces a reset at sign-in, so every session is refused there (401).',
  request: { body: json(CompleteResetBody) },
  responses: { 200: session('New password set; signed in'), ...errorResponses(400, 401, 429) },
});

const refreshRoute = createRoute({
  method: 'post',
  path: '/auth/refresh',
  tags: ['auth'],
  summary: 'Trade a refresh token for new tokens (the refresh token is rotated)',
  request: { body: json(RefreshBody) },
  responses: { 200: session('Refreshed'), ...errorResponses(400, 401) },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['auth'],
  summary: 'Sign out: the refresh token stops working (access tokens expire on their own)',
  request: { body: json(RefreshBody) },
  responses: {
    200: { description: 'Signed out', content: { 'application/json': { schema: LogoutResponse } } },
    ...errorResponses(400),
  },
});

export function authDeps(services: AppServices): AuthDeps {
  return {
    users: services.users,
    ...services.auth,
    clock: services.clock,
    settings: { adminEmail: services.parameters.AdminEmail },
  };
}

export function authRoutes(services: AppServices) {
  const deps = authDeps(services);
  return new OpenAPIHono<AppEnv>()
    .openapi(signupRoute, async (c) => c.json(await signup(deps, { ...c.req.valid('json'), clientIp: c.get('clientIp') }), 201))
    .openapi(loginRoute, async (c) => c.json(await login(deps, { ...c.req.valid('json'), clientIp: c.get('clientIp') }), 200))
    .openapi(completeResetRoute, async (c) => {
      const b = c.req.valid('json');
      return c.json(await completeReset(deps, { email: b.email, session: b.session, newPassword: b.new_password, clientIp: c.get('clientIp') }), 200);
    })
    .openapi(refreshRoute, async (c) => c.json(await refresh(deps, { refreshToken: c.req.valid('json').refresh_token }), 200))
    .openapi(logoutRoute, async (c) => {
      await logout(deps, { refreshToken: c.req.valid('json').refresh_token });
      return c.json({ success: true as const }, 200);
    });
}
