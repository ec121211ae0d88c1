/** @module What the thread hears when carrying out an effect throws. */
import { providerFailure, type ProviderFailure } from '../../src/contracts/index.ts'
import { AdapterError } from '../adapter.ts'

export const failureOf = (cause: unknown): ProviderFailure => {
  if (cause instanceof AdapterError) return cause.failure
  return providerFailure('unknown', cause instanceof Error ? cause.message : String(cause), 'runner_error', null)
}

/** A typed error for what the host itself refuses (no adapter, no live session). */
export const hostError = (message: string, code: string): AdapterError => new AdapterError(providerFailure('validation_error', message, code, false))
