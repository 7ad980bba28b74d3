import { z } from '@hono/zod-openapi';

export const SignupBody = z
  .object({
    email: z.email().max(254).openapi({ example: 'ada@example.com' }),
    password: z.string().min(8).max(1024).openapi({ example: 'correct horse battery' }),
    name: z.string().max(200).optional(),
  })
  .openapi('SignupRequest');

export const LoginBody = z
  .object({
    email: z.string().min(1).max(254).openapi({ example: 'ada@example.com' }),
    password: z.string().min(1).max(1024),
  })
  .openapi('LoginRequest');

export const CompleteResetBody = z
  .object({
    email: z.string().min(1).max(254).openapi({ example: 'ada@example.com' }),
    session: z.string().min(1).max(8192).openapi({ description: 'details.session of the password_reset_required answer' }),
    new_password: z.string().min(8).max(1024),
  })
  .openapi('CompleteResetRequest');

// Cognito refresh tokens are ~1.8 KB encrypted JWTs; the local ones are 43 characters.
export const RefreshBody = z.object({ refresh_token: z.string().min(1).max(4096) }).openapi('RefreshRequest');

export const SessionSchema = z
  .object({
    id_token: z.string(),
    access_token: z.string(),
    refresh_token: z.string(),
    expires_in: z.number().int().openapi({ description: 'Seconds until the access and id tokens expire' }),
    token_type: z.literal('Bearer'),
    user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), is_admin: z.boolean() }),
  })
  .openapi('Session');
