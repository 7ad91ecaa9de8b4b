/**
 * REST Proxy v2 produce as the e2e tests drive it: the answer's shape, and a
 * registry-format produce made twice, first with the schemas inline (sent
 * with fetch) and then by the ids the first answer gave (sent with curl),
 * failing unless both are answered 200 with the same ids and no record
 * error.
 */
import { curl } from './curl-call.ts';
import { restCall, v2FormatType } from './rest-http.ts';

export interface ProduceAnswer {
  offsets: { partition: number | null; offset: number | null; error_code: number | null; error: string | null }[];
  key_schema_id: number | null;
  value_schema_id: number | null;
}

export async function produceInlineThenById(
  rest: string,
  format: string,
  topic: string,
  schemas: { key_schema?: string; value_schema: string },
  first: unknown[],
  second: unknown[],
): Promise<ProduceAnswer[]> {
  const path = `/topics/${topic}`;
  const inline = await restCall(
    rest,
    'POST',
    path,
    { ...schemas, records: first },
    { contentType: v2FormatType(format) },
  );
  if (inline.status !== 200)
    throw new Error(`inline ${format} produce: ${inline.status} ${JSON.stringify(inline.body)}`);
  const ids = inline.body as ProduceAnswer;
  if (typeof ids.value_schema_id !== 'number') throw new Error(`no value_schema_id in ${JSON.stringify(ids)}`);
  const byIdBody = JSON.stringify({
    ...(ids.key_schema_id === null ? {} : { key_schema_id: ids.key_schema_id }),
    value_schema_id: ids.value_schema_id,
    records: second,
  });
  const byId = await curl(rest, 'POST', path, byIdBody, v2FormatType(format));
  if (byId.status !== 200) throw new Error(`${format} produce by id: ${byId.status} ${JSON.stringify(byId.body)}`);
  const again = byId.body as ProduceAnswer;
  if (again.key_schema_id !== ids.key_schema_id || again.value_schema_id !== ids.value_schema_id) {
    throw new Error(`the ids changed: ${JSON.stringify([ids, again])}`);
  }
  for (const answer of [ids, again]) {
    if (answer.offsets.some((o) => o.error_code !== null))
      throw new Error(`a record failed: ${JSON.stringify(answer)}`);
  }
  return [ids, again];
}
