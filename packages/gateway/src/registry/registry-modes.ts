/**
 * The registry's modes, global and per subject, as Confluent applies them
 * (README.md, "Facts: modes"): READWRITE (the default), READONLY and
 * READONLY_OVERRIDE (no writes; a global READONLY_OVERRIDE also beats
 * every subject's own mode), and IMPORT (registrations must bring their
 * own id, are not checked for compatibility, and keep the version asked
 * for). Pure functions of the state; the service calls them inside its
 * write section, so the mode a write is checked against is the one it
 * writes under.
 */
import { registryErrors } from './registry-error.ts';
import type { RegistryState } from './state.ts';

export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
export type Mode = (typeof MODES)[number];

export function parseMode(value: unknown): Mode {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  const found = MODES.find((mode) => mode === upper);
  if (found === undefined) throw registryErrors.invalidMode();
  return found;
}

function stored(state: RegistryState, subject: string | null): Mode | undefined {
  const mode = state.modes.get(subject)?.mode;
  return MODES.find((m) => m === mode);
}

/** The mode that applies to `subject` (null: the registry): a global READONLY_OVERRIDE, its own, the global one, READWRITE. */
export function modeInScope(state: RegistryState, subject: string | null): Mode {
  const global = stored(state, null);
  if (global === 'READONLY_OVERRIDE') return global;
  return (subject === null ? undefined : stored(state, subject)) ?? global ?? 'READWRITE';
}

/** The subject's own mode (what GET /mode/{subject} answers without defaultToGlobal); the global one for null. */
export function ownMode(state: RegistryState, subject: string | null): Mode | undefined {
  const global = stored(state, null);
  if (subject === null) return global ?? 'READWRITE';
  return global === 'READONLY_OVERRIDE' ? global : stored(state, subject);
}

function readOnly(mode: Mode): boolean {
  return mode === 'READONLY' || mode === 'READONLY_OVERRIDE';
}

/** Deletes and config changes are refused (42205) while the subject is read-only. */
export function checkWritable(state: RegistryState, subject: string | null): void {
  if (readOnly(modeInScope(state, subject))) {
    throw registryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
  }
}

/** A registration with a caller-chosen id needs IMPORT; one without needs READWRITE. */
export function checkRegisterMode(state: RegistryState, subject: string, withId: boolean): Mode {
  const mode = modeInScope(state, subject);
  if (readOnly(mode)) throw registryErrors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
  if (withId && mode !== 'IMPORT') {
    throw registryErrors.operationNotPermitted(`Subject ${subject} is not in import mode`);
  }
  if (!withId && mode !== 'READWRITE') {
    throw registryErrors.operationNotPermitted(`Subject ${subject} is not in read-write mode`);
  }
  return mode;
}
