/**
 * The first Ctrl-C (or SIGTERM) aborts the returned signal so the bench stops its load and cleans
 * up; a second one exits at once with `forcedNote` saying what is left behind.
 */
export function interruptible(log: (line: string) => void, forcedNote: string): AbortSignal {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) {
      log(`second interrupt: exiting now (${forcedNote})`);
      process.exit(130);
    }
    log('interrupted: stopping the load, then cleaning up (Ctrl-C again to force)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
