import { DomainError } from '../../shared/write-model/domain-error.js';

/** The DomainError a pure decision throws; fails the test when it decides instead. */
export function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('accepted');
}
