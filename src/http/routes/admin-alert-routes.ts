import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AlertTarget } from '../../core/ports/notifier.js';
import type { AppEnv } from '../app-env.js';
import { requireAdmin } from '../middleware/auth.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import { AlarmSchema } from '../schemas/dashboard-schemas.js';
import type { AppServices } from '../services.js';

const TargetSchema = z
  .object({
    kind: z.enum(['webhook', 'sns']),
    host: z.string().optional().openapi({ description: 'webhook: the host of AlertWebhookUrl only (its path and query can hold a secret)' }),
    topic_arn: z.string().optional(),
    subscriptions: z
      .array(z.object({ protocol: z.string(), confirmed: z.number().int(), pending: z.number().int().openapi({ description: 'Not confirmed yet: receives nothing' }) }))
      .nullable()
      .optional()
      .openapi({ description: 'sns: subscriptions by protocol (endpoints never shown); null when they could not be read' }),
    subscriptions_error: z.string().optional(),
  })
  .openapi('AlertTarget');

const AlertsSchema = z
  .object({
    targets: z.array(TargetSchema).openapi({ description: 'Empty: alerts go nowhere (no AlertWebhookUrl / alert topic, or error handling off)' }),
    alarms: z.array(AlarmSchema).openapi({ description: 'The alarms evaluated (monitoring on), with thresholds; an alarm whose threshold is 0 is off and not listed' }),
    monitoring: z.boolean().openapi({ description: 'Whether alarms are evaluated at all (EnableAdvancedErrorHandling or EnableXRayTracing)' }),
  })
  .openapi('AlertSettings');

const route = createRoute({
  method: 'get',
  path: '/admin/alerts',
  tags: ['admin'],
  summary: 'Where alerts go and which alarms are set (admin)',
  security: bearerSecurity,
  responses: { 200: { description: 'Targets and alarms', content: { 'application/json': { schema: AlertsSchema } } }, ...errorResponses(401, 403) },
});

export function adminAlertRoutes(services: AppServices) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    requireAdmin(c);
    const { notifier, monitor } = services.ops;
    const targets: AlertTarget[] = notifier?.target ? [await notifier.target()] : [];
    const alarms = monitor ? (await monitor.dashboard(1)).alarms : [];
    return c.json({ targets, alarms, monitoring: !!monitor }, 200);
  });
}
