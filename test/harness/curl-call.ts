/**
 * One HTTP request with the curl command line tool, as users of the REST
 * Proxy make them: the body goes on stdin (so any bytes pass unchanged),
 * the answer's status and media type come from curl's --write-out, and the
 * body is parsed as JSON.
 */
import { spawn } from 'node:child_process';
import { endInput } from './child-input.ts';

export interface CurlAnswer {
  status: number;
  contentType: string;
  body: unknown;
}

/** One request with the curl command line tool; the body goes on stdin so any bytes pass unchanged. */
export function curl(
  base: string,
  method: string,
  path: string,
  body?: string,
  contentType = 'application/vnd.kafka.v2+json',
): Promise<CurlAnswer> {
  const args = ['-s', '-X', method, '-w', '\n%{http_code} %{content_type}', `${base}${path}`];
  if (body !== undefined) args.push('-H', `content-type: ${contentType}`, '--data-binary', '@-');
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`curl ${args.join(' ')} exited ${code}`));
      const cut = out.lastIndexOf('\n');
      const trailer = out.slice(cut + 1);
      const space = trailer.indexOf(' ');
      // The media type alone: parameters (charset) aside.
      const contentType = (trailer.slice(space + 1).split(';')[0] ?? '').trim();
      const text = out.slice(0, cut);
      resolve({ status: Number(trailer.slice(0, space)), contentType, body: text === '' ? null : JSON.parse(text) });
    });
    // A curl that exits before reading its input (a refused connection) must not leave an EPIPE unhandled.
    endInput(child.stdin, body ?? '', reject);
  });
}
