import { useAction, useCall } from './client';

/** The configured webhooks (id, kind, host: never the URL). */
export function useWebhooks() {
  return useCall('fleet.webhooks', {});
}

/** "Send test": a test notification to every webhook, answered with each one's outcome. */
export function useTestWebhooks() {
  return useAction('fleet.testWebhooks');
}
