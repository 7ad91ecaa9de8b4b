/**
 * Why a value could not be serialized or deserialized: a frame that is not
 * the registry's wire format, a value its schema refuses, a message index
 * that names no message. Thrown, with the reason in the message; the
 * registry's own answers are `RegistryError`s instead.
 */
export class SerdeError extends Error {
  override readonly name = 'SerdeError';
}
