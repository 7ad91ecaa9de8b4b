/**
 * Which embedded format a v2 records request asks for through its Accept
 * header, pure. Confluent's REST Proxy picks its reader by Accept: a
 * `application/vnd.kafka.<format>.v2+json` names the format; the generic
 * `application/vnd.kafka.v2+json`, `application/json`, a wildcard or no
 * header selects its binary reader. An instance created in another format
 * then answers 40601.
 */
import { type EmbeddedFormat, formatOfContentType } from '../formats/embedded-formats.ts';

/** The format the Accept header selects; null when it accepts nothing the records route produces. */
export function acceptedFormat(accept: string | undefined): EmbeddedFormat | null {
  if (accept === undefined || accept.trim() === '') return 'binary';
  const types = accept
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((type) => type !== '');
  for (const type of types) {
    const format = formatOfContentType(type);
    if (format !== null) return format;
  }
  const generic = ['application/vnd.kafka.v2+json', 'application/json', 'application/*', '*/*'];
  return types.some((type) => generic.includes(type)) ? 'binary' : null;
}

/** The content type of a records answer in `format`. */
export function recordsContentType(format: EmbeddedFormat): string {
  return `application/vnd.kafka.${format}.v2+json`;
}
