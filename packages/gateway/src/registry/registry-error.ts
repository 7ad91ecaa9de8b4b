/**
 * A registry answer that is an error: Confluent's five-digit code and its
 * message, which the HTTP app turns into `{error_code, message}` with the
 * code's first three digits as the status. The messages follow Confluent's
 * wording, since some tools match on them.
 */
export class RegistryError extends Error {
  override name = 'RegistryError';
  readonly errorCode: number;

  constructor(errorCode: number, message: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

export const registryErrors = {
  subjectNotFound: (subject: string) => new RegistryError(40401, `Subject '${subject}' not found.`),
  versionNotFound: (version: number | string) => new RegistryError(40402, `Version ${version} not found.`),
  schemaNotFound: (id?: number) =>
    new RegistryError(40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (subject: string) =>
    new RegistryError(40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (subject: string) =>
    new RegistryError(40405, `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: number) =>
    new RegistryError(
      40406,
      `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
    ),
  versionNotSoftDeleted: (subject: string, version: number) =>
    new RegistryError(
      40407,
      `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    ),
  subjectCompatibilityNotConfigured: (subject: string) =>
    new RegistryError(40408, `Subject '${subject}' does not have subject-level compatibility configured`),
  subjectModeNotConfigured: (subject: string) =>
    new RegistryError(40409, `Subject '${subject}' does not have subject-level mode configured`),
  invalidSchema: (message: string) => new RegistryError(42201, message),
  invalidVersion: (version: string) =>
    new RegistryError(
      42202,
      `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibilityLevel: () =>
    new RegistryError(
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  invalidMode: () => new RegistryError(42204, 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.'),
  /** 42205: the mode forbids the write; the message says which rule (read-only, not import, not read-write, ...). */
  operationNotPermitted: (message: string) => new RegistryError(42205, message),
  idDoesNotMatch: (existing: number, asked: number) =>
    new RegistryError(42207, `Schema already registered with id ${existing} instead of input id ${asked}`),
  schemaTooLarge: (bytes: number, limit: number) =>
    new RegistryError(42209, `Schema too large: ${bytes} bytes stored, at most ${limit}`),
  /** 42206: another schema references this version; Confluent names the version by its key's toString(). */
  referenceExists: (subject: string, version: number) =>
    new RegistryError(
      42206,
      `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`,
    ),
  invalidSubject: (subject: string) => new RegistryError(42208, `The specified subject '${subject}' is not a valid.`),
  // Confluent's default code for an incompatible schema is the bare 409; the details are its verbose messages.
  incompatibleSchema: (subject: string, messages: readonly string[]) =>
    new RegistryError(
      409,
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${messages.join(', ')}]`,
    ),
  storeError: () => new RegistryError(50001, 'Error in the backend data store'),
  timeout: (what: string) => new RegistryError(50002, `Operation timed out: ${what}`),
  forwardingFailed: (why: string) =>
    new RegistryError(50003, `Error while forwarding the request to the leader: ${why}`),
  unknownLeader: () => new RegistryError(50004, 'Unknown leader: no gateway currently takes registry writes'),
};
