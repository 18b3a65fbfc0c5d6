/**
 * Settings of the campaign's services: a retry budget of seconds (two tries, 500 ms apart), so
 * every outage outlasts it; short locks so a killed projector's jobs are picked up again soon.
 */
export function campaignEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PROJECTION_ATTEMPTS: '2',
    PROJECTION_LOCK_MS: '3000',
    OUTBOX_POLL_INTERVAL_MS: '100',
    PROJECTION_BATCH_WAIT_MS: '5',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...overrides,
  };
}
